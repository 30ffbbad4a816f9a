terraform {
  required_providers {
    dr = {
      source = "registry.terraform.io/dr-toolkit/dr"
    }
  }
}

# The provider needs no configuration and no cloud credentials.
provider "dr" {}

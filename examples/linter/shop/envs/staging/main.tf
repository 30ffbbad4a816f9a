provider "aws" {
  region = "eu-west-1"

  default_tags {
    tags = {
      environment = "staging"
      "dr-tier"   = "3"
      "rto-hours" = "4"
    }
  }
}

module "data" {
  source = "../../modules/data-stores"

  environment   = "staging"
  enable_search = false
}

terraform {
  required_providers {
    dr = {
      source = "registry.terraform.io/dr-toolkit/dr"
    }
  }
}

# Every argument is optional: with no AWS credentials the provider works offline.
provider "dr" {}

# With credentials (the standard AWS chain: environment, profile, SSO, instance role), the
# provider checks which account it runs in and can run recovery_access drills.
provider "dr" {
  alias               = "production"
  region              = "eu-west-1"
  profile             = "payments-prod"
  allowed_account_ids = ["123456789012"]

  assume_role {
    role_arn     = "arn:aws:iam::123456789012:role/dr-drills"
    session_name = "dr-drills"
  }
}

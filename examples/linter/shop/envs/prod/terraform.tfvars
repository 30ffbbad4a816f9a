dr_tier         = "1"
recovery_region = "eu-central-1"

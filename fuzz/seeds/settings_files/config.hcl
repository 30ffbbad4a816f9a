docs_url   = "https://wiki.example.com/drlint/{code}"
skip_paths = ["examples", "**/test/fixtures"]

tags {
  tier      = "DRTier"
  rto_hours = "RTOHours"
}

tier "2" {
  rto = "2h"
  require {
    cross_region_copy = "required"
  }
}

rule "DR504" {
  severity = "warning"
  by_tier  = { "3" = "off" }
}

root "envs/dev" {
  var_files = ["envs/dev/dev.tfvars"]
}

variable "name" {
  type = string
}

variable "replica_regions" {
  type    = list(string)
  default = []
}

variable "kms_key_id" {
  type    = string
  default = null
}

resource "aws_secretsmanager_secret" "this" {
  name       = var.name
  kms_key_id = var.kms_key_id

  dynamic "replica" {
    for_each = toset(var.replica_regions)
    content {
      region = replica.value
    }
  }
}

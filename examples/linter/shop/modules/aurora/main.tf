variable "create" {
  type    = bool
  default = true
}

variable "name" {
  type = string
}

variable "instances" {
  description = "Map of instance name => settings, as in terraform-aws-modules/rds-aurora."
  type        = map(any)
  default     = { one = {} }
}

variable "backup_retention_period" {
  type    = number
  default = 7
}

variable "global_cluster_identifier" {
  type    = string
  default = null
}

variable "tags" {
  type    = map(string)
  default = {}
}

locals {
  create = var.create
}

resource "aws_rds_cluster" "this" {
  count = local.create ? 1 : 0

  cluster_identifier        = var.name
  engine                    = "aurora-postgresql"
  backup_retention_period   = var.backup_retention_period
  global_cluster_identifier = var.global_cluster_identifier
  storage_encrypted         = true

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_rds_cluster_instance" "this" {
  for_each = { for k, v in var.instances : k => v if local.create }

  identifier         = "${var.name}-${each.key}"
  cluster_identifier = aws_rds_cluster.this[0].id
  instance_class     = lookup(each.value, "instance_class", "db.r6g.large")
  engine             = "aurora-postgresql"

  tags = var.tags
}

output "cluster_id" {
  value = try(aws_rds_cluster.this[0].id, null)
}

resource "aws_rds_cluster_instance" "db" {
  count = 37777777777777777777777
}

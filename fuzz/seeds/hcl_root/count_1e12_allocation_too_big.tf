resource "aws_s3_bucket" "b" {
  count = 1e12
}

resource "aws_s3_bucket" "b" {
  count = 200000000
}

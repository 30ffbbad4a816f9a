//! AWS region names, for data-residency checks and for telling a typo from a real region.

/// Every AWS region name in the commercial, GovCloud, China and European Sovereign partitions.
pub const AWS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eusc-de-east-1",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `name` is a real AWS region.
pub fn is_aws_region(name: &str) -> bool {
    AWS_REGIONS.binary_search(&name).is_ok()
}

/// The real region closest in spelling to `name`, to suggest in a diagnostic.
pub fn closest_region(name: &str) -> Option<&'static str> {
    AWS_REGIONS
        .iter()
        .map(|region| (edit_distance(name, region), *region))
        .filter(|(distance, _)| *distance <= 3)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, region)| region)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_lookup() {
        assert!(AWS_REGIONS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn knows_real_regions_and_suggests_for_typos() {
        assert!(is_aws_region("eu-west-1"));
        assert!(!is_aws_region("eu-west-9"));
        assert!(!is_aws_region("us-east"));
        assert_eq!(closest_region("us-est-1"), Some("us-east-1"));
        assert_eq!(closest_region("mars-north-1"), None);
    }
}

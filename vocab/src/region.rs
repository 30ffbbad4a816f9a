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

/// How many single-character edits a name may be from a region and still have it suggested.
const SUGGESTION_DISTANCE: usize = 3;

/// The longest name worth comparing. The edit distance between two names is at least the
/// difference of their lengths, so a name longer than every region by more than
/// [`SUGGESTION_DISTANCE`] characters is too far from all of them, however long it is.
const LONGEST_SUGGESTIBLE: usize = longest_region() + SUGGESTION_DISTANCE;

/// The length of the longest region name (they are ASCII, so bytes and characters agree).
const fn longest_region() -> usize {
    let mut longest = 0;
    let mut index = 0;
    while index < AWS_REGIONS.len() {
        if AWS_REGIONS[index].len() > longest {
            longest = AWS_REGIONS[index].len();
        }
        index += 1;
    }
    longest
}

/// The real region closest in spelling to `name`, to suggest in a diagnostic.
///
/// Bounded whatever the input: at most [`LONGEST_SUGGESTIBLE`] + 1 characters of `name` are read,
/// and only regions within [`SUGGESTION_DISTANCE`] of its length are compared, each in a table of
/// at most [`LONGEST_SUGGESTIBLE`] rows by one column per character of the region.
pub fn closest_region(name: &str) -> Option<&'static str> {
    let name: Vec<char> = name.chars().take(LONGEST_SUGGESTIBLE + 1).collect();
    if name.len() > LONGEST_SUGGESTIBLE {
        return None;
    }
    AWS_REGIONS
        .iter()
        .filter(|region| region.len().abs_diff(name.len()) <= SUGGESTION_DISTANCE)
        .map(|region| (edit_distance(&name, region), *region))
        .filter(|(distance, _)| *distance <= SUGGESTION_DISTANCE)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, region)| region)
}

/// Levenshtein distance, one row of the table at a time.
fn edit_distance(a: &[char], b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
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
    fn region_names_are_ascii_so_their_lengths_are_in_characters() {
        assert!(AWS_REGIONS.iter().all(|region| region.is_ascii()));
        assert_eq!(longest_region(), "ap-southeast-1".len());
    }

    #[test]
    fn knows_real_regions_and_suggests_for_typos() {
        assert!(is_aws_region("eu-west-1"));
        assert!(!is_aws_region("eu-west-9"));
        assert!(!is_aws_region("us-east"));
        assert_eq!(closest_region("us-est-1"), Some("us-east-1"));
        assert_eq!(closest_region("eu-wset-1"), Some("eu-west-1"));
        assert_eq!(closest_region("us-east"), Some("us-east-1"));
        assert_eq!(closest_region("cn-nrothwest-1"), Some("cn-northwest-1"));
        assert_eq!(closest_region("mars-north-1"), None);
        assert_eq!(closest_region(""), None);
    }

    #[test]
    fn suggests_up_to_the_longest_name_within_reach() {
        let longest_typo = "ap-southeast-1xyz";
        assert_eq!(longest_typo.chars().count(), LONGEST_SUGGESTIBLE);
        assert_eq!(closest_region(longest_typo), Some("ap-southeast-1"));
        // The same with non-ASCII characters: the bound counts characters, not bytes.
        assert_eq!(closest_region("ap-southeast-1äöü"), Some("ap-southeast-1"));
        assert_eq!(closest_region("ap-southeast-1wxyz"), None);
    }

    #[test]
    fn a_name_far_longer_than_any_region_gets_no_suggestion() {
        let million = 1_000_000;
        assert_eq!(closest_region(&"a".repeat(million)), None);
        assert_eq!(closest_region(&"é".repeat(million)), None);
        let region_then_junk = format!("eu-west-1{}", "x".repeat(million));
        assert_eq!(closest_region(&region_then_junk), None);
    }
}

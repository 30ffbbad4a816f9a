//! The tag convention that carries a resource's tier: `dr-tier` and `rto-hours`.

/// Tag naming the tier a resource belongs to (`"1"`, `"2"`, ...).
pub const TAG_DR_TIER: &str = "dr-tier";
/// Tag stating the recovery time the resource is built for, in hours.
pub const TAG_RTO_HOURS: &str = "rto-hours";

/// Seconds as hours in the shortest decimal that reads back to the same number:
/// 900 → `0.25`, 14 400 → `4`, 5 400 → `1.5`.
///
/// Shortest round-trip form matters: the linter compares an `rto-hours` tag with the tier's RTO,
/// and a tag written from the tier itself must compare equal, never a rounding step above it.
pub fn format_hours(seconds: u64) -> String {
    let hours = seconds as f64 / 3600.0;
    format!("{hours}")
}

/// The tags a tier of `level` with an RTO of `rto_seconds` stamps on its resources:
/// `dr-tier` and `rto-hours`, in that order. What `dr_tier`'s computed `tags` hold, and what the
/// linter evaluates `dr_tier.NAME.tags` to.
pub fn tier_tags(level: u8, rto_seconds: u64) -> [(&'static str, String); 2] {
    [
        (TAG_DR_TIER, level.to_string()),
        (TAG_RTO_HOURS, format_hours(rto_seconds)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_are_shortest_decimals() {
        assert_eq!(format_hours(900), "0.25");
        assert_eq!(format_hours(14_400), "4");
        assert_eq!(format_hours(5_400), "1.5");
        assert_eq!(format_hours(0), "0");
        assert_eq!(format_hours(90), "0.025");
        let ten_minutes: f64 = format_hours(600).parse().unwrap();
        assert_eq!(ten_minutes, 600.0 / 3600.0);
    }

    #[test]
    fn tier_tags_name_level_and_rto() {
        assert_eq!(
            tier_tags(1, 900),
            [
                ("dr-tier", "1".to_owned()),
                ("rto-hours", "0.25".to_owned())
            ]
        );
    }
}

//! Proleptic Gregorian calendar arithmetic on unix seconds, shared by the provider fakes
//! (dates in answers, schedules, time filters). Integer arithmetic only.

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31) (H. Hinnant's
/// `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// (year, month, day) → days since 1970-01-01.
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The number of days in `month` of `year`.
pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The (year, month, day, hour, minute, second) of unix seconds, UTC.
pub(crate) fn parts(secs: i64) -> (i64, i64, i64, i64, i64, i64) {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rest = secs.rem_euclid(86_400);
    (y, m, d, rest / 3_600, rest % 3_600 / 60, rest % 60)
}

/// Unix seconds plus `months` calendar months, the day clamped to the target month's
/// length (Jan 31 + 1 month = Feb 28 or 29), the time of day kept.
pub(crate) fn add_months(secs: i64, months: i64) -> i64 {
    let (y, m, d, ..) = parts(secs);
    let total = y * 12 + (m - 1) + months;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let day = d.min(days_in_month(year, month));
    days_from_civil(year, month, day) * 86_400 + secs.rem_euclid(86_400)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_round_trip_and_months_clamp() {
        for days in [-800_000, -1, 0, 1, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(parts(0), (1970, 1, 1, 0, 0, 0));
        let jan31 = days_from_civil(2024, 1, 31) * 86_400 + 3_723;
        assert_eq!(parts(add_months(jan31, 1)), (2024, 2, 29, 1, 2, 3));
        assert_eq!(parts(add_months(jan31, 13)), (2025, 2, 28, 1, 2, 3));
        assert_eq!(parts(add_months(jan31, -2)), (2023, 11, 30, 1, 2, 3));
        assert_eq!(days_in_month(1900, 2), 28);
        assert_eq!(days_in_month(2000, 2), 29);
    }
}

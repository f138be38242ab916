//! Easypay's two list styles (easypay.md §1.6): `page` + `records_per_page` with a
//! `meta` block, and `cursor` + `limit` with `{data}` where the next cursor is the id of
//! the last item (INFERRED, as the generated description records).

use crate::easypay::json::{self, Obj};
use crate::provider::FakeResponse;

/// One page of `items` (JSON text each): `page` from 1, `per_page` records.
pub(crate) fn page(items: &[String], page: i64, per_page: i64) -> FakeResponse {
    let page = page.max(1);
    let per_page = per_page.max(1);
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let pages = ((total + per_page - 1) / per_page).max(1);
    let start = usize::try_from((page - 1).saturating_mul(per_page)).unwrap_or(usize::MAX);
    let take = usize::try_from(per_page).unwrap_or(usize::MAX);
    let data: Vec<String> = items.iter().skip(start).take(take).cloned().collect();
    let link = |n: i64| format!("?page={n}");
    let meta = Obj::new()
        .raw(
            "page",
            &Obj::new().int("current", page).int("total", pages).done(),
        )
        .raw(
            "records",
            &Obj::new()
                .int("total", total)
                .int("per_page", per_page)
                .done(),
        )
        .raw(
            "links",
            &Obj::new()
                .str("first", &link(1))
                .str(
                    "prev",
                    &if page > 1 {
                        link(page - 1)
                    } else {
                        String::new()
                    },
                )
                .str(
                    "next",
                    &if page < pages {
                        link(page + 1)
                    } else {
                        String::new()
                    },
                )
                .str("last", &link(pages))
                .done(),
        )
        .done();
    FakeResponse::json(
        200,
        Obj::new()
            .raw("meta", &meta)
            .raw("data", &json::array(data))
            .done(),
    )
}

/// The items after the one whose id is `cursor` (from the start without one), at most
/// `limit` of them. An unknown cursor gives an empty page (INFERRED).
pub(crate) fn cursor(items: &[(String, String)], cursor: Option<&str>, limit: i64) -> FakeResponse {
    let start = match cursor {
        None => 0,
        Some(cursor) => items
            .iter()
            .position(|(id, _)| id == cursor)
            .map_or(items.len(), |index| index + 1),
    };
    let take = usize::try_from(limit.max(1)).unwrap_or(usize::MAX);
    let data: Vec<String> = items
        .iter()
        .skip(start)
        .take(take)
        .map(|(_, item)| item.clone())
        .collect();
    FakeResponse::json(200, Obj::new().raw("data", &json::array(data)).done())
}

/// `page` and `records_per_page` from the query (defaults 1 and 20).
pub(crate) fn page_params(pairs: &[(String, String)]) -> (i64, i64) {
    let get = |name: &str, default: i64| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(default)
    };
    (get("page", 1), get("records_per_page", 20))
}

/// `cursor` and `limit` from the query (limit defaults to 100).
pub(crate) fn cursor_params(pairs: &[(String, String)]) -> (Option<String>, i64) {
    let cursor = pairs
        .iter()
        .find(|(k, _)| k == "cursor")
        .map(|(_, v)| v.clone());
    let limit = pairs
        .iter()
        .find(|(k, _)| k == "limit")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(100);
    (cursor, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(answer: &FakeResponse) -> serde_json::Value {
        serde_json::from_slice(answer.body()).expect("json")
    }

    #[test]
    fn pages_have_meta_and_links() {
        let items: Vec<String> = (1..=5).map(|n| n.to_string()).collect();
        let second = body(&page(&items, 2, 2));
        assert_eq!(second["data"], serde_json::json!([3, 4]));
        assert_eq!(second["meta"]["page"]["current"], 2);
        assert_eq!(second["meta"]["page"]["total"], 3);
        assert_eq!(second["meta"]["records"]["total"], 5);
        assert_eq!(second["meta"]["links"]["prev"], "?page=1");
        assert_eq!(second["meta"]["links"]["next"], "?page=3");
        let last = body(&page(&items, 3, 2));
        assert_eq!(last["data"], serde_json::json!([5]));
        assert_eq!(last["meta"]["links"]["next"], "");
        let empty = body(&page(&[], 1, 20));
        assert_eq!(empty["meta"]["page"]["total"], 1);
        assert_eq!(empty["data"], serde_json::json!([]));
    }

    #[test]
    fn cursors_continue_after_the_last_id() {
        let items: Vec<(String, String)> =
            (1..=3).map(|n| (format!("id{n}"), n.to_string())).collect();
        assert_eq!(
            body(&cursor(&items, None, 2))["data"],
            serde_json::json!([1, 2])
        );
        assert_eq!(
            body(&cursor(&items, Some("id2"), 2))["data"],
            serde_json::json!([3])
        );
        assert_eq!(
            body(&cursor(&items, Some("id3"), 2))["data"],
            serde_json::json!([])
        );
        assert_eq!(
            body(&cursor(&items, Some("nope"), 2))["data"],
            serde_json::json!([])
        );
        let pairs = vec![("limit".to_owned(), "7".to_owned())];
        assert_eq!(cursor_params(&pairs), (None, 7));
        assert_eq!(page_params(&[]), (1, 20));
    }
}

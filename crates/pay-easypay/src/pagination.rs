//! Easypay's two list styles as `futures` streams: page-based (`page`,
//! `records_per_page`, a `meta` block) and cursor-based (`cursor`, `limit`, the next
//! cursor being the id of the last item received, INFERRED from the docs' "usually the id
//! of the last item"). Each stream fetches one page at a time, only when the previous one
//! is used up, and ends on the first error.

use futures_util::stream::BoxStream;
use futures_util::{StreamExt, TryStreamExt, stream};
use pay_core::{CallOptions, PayError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::client::EasypayClient;
use crate::resources::Validate;
use crate::wire;

/// A page-based list answer.
pub(crate) trait PageList: DeserializeOwned + Send {
    type Item: Send;
    fn into_parts(self) -> (Vec<Self::Item>, Option<wire::PageMeta>);
}

/// A cursor-based list answer.
pub(crate) trait CursorList: DeserializeOwned + Send {
    type Item: CursorItem + Send;
    fn into_items(self) -> Vec<Self::Item>;
}

/// An item of a cursor-based list: its id is the next cursor.
pub(crate) trait CursorItem {
    fn cursor_id(&self) -> Option<String>;
}

impl CursorItem for wire::Capture {
    fn cursor_id(&self) -> Option<String> {
        self.id.clone()
    }
}

impl CursorItem for wire::Refund {
    fn cursor_id(&self) -> Option<String> {
        self.id.clone()
    }
}

impl CursorItem for Box<RawValue> {
    fn cursor_id(&self) -> Option<String> {
        #[derive(serde::Deserialize)]
        struct IdOnly {
            #[serde(default)]
            id: Option<Box<RawValue>>,
        }
        let id = serde_json::from_str::<IdOnly>(self.get()).ok()?.id?;
        let text = id.get();
        if text.starts_with('"') {
            serde_json::from_str::<String>(text).ok()
        } else if text == "null" {
            None
        } else {
            Some(text.to_owned())
        }
    }
}

/// The cursor after a raw list item (its `id`).
#[allow(clippy::borrowed_box)] // the list items are `Box<RawValue>`
pub(crate) fn item_cursor(item: &Box<RawValue>) -> Option<String> {
    item.cursor_id()
}

/// A page-based list's query.
pub(crate) trait PagedQuery: Serialize + Validate + Send + Sync {
    type List: PageList;
    fn page(&self) -> Option<i64>;
    fn set_page(&mut self, page: i64);
}

/// A cursor-based list's query.
pub(crate) trait CursorQuery: Serialize + Validate + Send + Sync {
    type List: CursorList;
    fn cursor(&self) -> Option<&str>;
    fn set_cursor(&mut self, cursor: String);
}

macro_rules! paged {
    ($($query:ident => $list:ident),* $(,)?) => {$(
        impl PagedQuery for wire::$query {
            type List = wire::$list;
            fn page(&self) -> Option<i64> {
                self.page
            }
            fn set_page(&mut self, page: i64) {
                self.page = Some(page);
            }
        }
    )*};
}

macro_rules! cursored {
    ($($query:ident => $list:ident),* $(,)?) => {$(
        impl CursorQuery for wire::$query {
            type List = wire::$list;
            fn cursor(&self) -> Option<&str> {
                self.cursor.as_deref()
            }
            fn set_cursor(&mut self, cursor: String) {
                self.cursor = Some(cursor);
            }
        }
    )*};
}

paged!(
    SingleListQuery => SingleList,
    FrequentListQuery => FrequentList,
    SubscriptionListQuery => SubscriptionList,
    OutPaymentListQuery => OutPaymentList,
    ReportTransactionsQuery => TransactionReport,
);

cursored!(
    CaptureListQuery => CaptureList,
    RefundListQuery => RefundList,
    ChargebackListQuery => ChargebackList,
    ReportLedgerQuery => LedgerReport,
);

/// Every item of a list, fetched page after page; ends on the first error.
pub type ItemStream<T> = BoxStream<'static, Result<T, PayError>>;

/// Whether a page-based answer says more pages follow.
fn more_pages(meta: Option<&wire::PageMeta>, current: i64) -> bool {
    let Some(meta) = meta else { return false };
    if let Some(page) = &meta.page
        && let (Some(at), Some(total)) = (page.current, page.total)
    {
        return at.max(current) < total;
    }
    meta.links
        .as_ref()
        .is_some_and(|links| links.next.is_some())
}

/// Every item of a list: one page after another, `advance` taking a page's items and
/// moving `query` to the next page (`false` when there is none).
fn item_stream<Q, L, T>(
    client: &EasypayClient,
    op_id: &'static str,
    query: Q,
    options: CallOptions,
    advance: fn(&mut Q, L) -> (Vec<T>, bool),
) -> ItemStream<T>
where
    Q: Serialize + Validate + Send + Sync + 'static,
    L: DeserializeOwned + Send + 'static,
    T: Send + 'static,
{
    let client = client.clone();
    stream::try_unfold(Some((query, options)), move |state| {
        let client = client.clone();
        async move {
            let Some((mut query, options)) = state else {
                return Ok::<_, PayError>(None);
            };
            let list: L = client
                .list_page(op_id, &query, &options)
                .await?
                .into_value();
            let (items, more) = advance(&mut query, list);
            Ok(Some((items, more.then_some((query, options)))))
        }
    })
    .map_ok(|items| stream::iter(items.into_iter().map(Ok)))
    .try_flatten()
    .boxed()
}

/// Every item of a page-based list, from `query.page` (or 1) on.
pub(crate) fn page_stream<Q: PagedQuery + 'static>(
    client: &EasypayClient,
    op_id: &'static str,
    query: Q,
    options: CallOptions,
) -> ItemStream<<Q::List as PageList>::Item>
where
    Q::List: 'static,
    <Q::List as PageList>::Item: 'static,
{
    item_stream(client, op_id, query, options, |query, list: Q::List| {
        let current = query.page().unwrap_or(1);
        let (items, meta) = list.into_parts();
        let more = !items.is_empty() && more_pages(meta.as_ref(), current);
        if more {
            query.set_page(current.saturating_add(1));
        }
        (items, more)
    })
}

/// Every item of a cursor-based list, from `query.cursor` (or the start) on.
pub(crate) fn cursor_stream<Q: CursorQuery + 'static>(
    client: &EasypayClient,
    op_id: &'static str,
    query: Q,
    options: CallOptions,
) -> ItemStream<<Q::List as CursorList>::Item>
where
    Q::List: 'static,
    <Q::List as CursorList>::Item: 'static,
{
    item_stream(client, op_id, query, options, |query, list: Q::List| {
        let items = list.into_items();
        let more = match items.last().and_then(CursorItem::cursor_id) {
            Some(cursor) if query.cursor() != Some(cursor.as_str()) => {
                query.set_cursor(cursor);
                true
            }
            _ => false,
        };
        (items, more)
    })
}

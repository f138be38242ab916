//! Parameter-name case, as the real V1 server treats it.
//!
//! Decision (INFERRED, from the docs and the official PHP SDK): Easytransac reads V1
//! parameter names without regard to ASCII case. The evidence: its signature lower-cases
//! every name before signing (so `ClientIP` and `ClientIp` sign the same), and the SDK's
//! payment-page request sends `ClientIP` (`Entities/PaymentPageTransaction.php`) while
//! every other request sends the documented `ClientIp`, and both work in production. So
//! the fake folds each posted name onto the documented name that differs from it only in
//! case before validating; when two posted names fold to the same one, the last wins,
//! as in the signature. Names it does not know stay as sent.

use pay_easytransac::field_names;

use crate::generated::easytransac as wire;

/// The documented field names of a V1 operation's request body.
pub(crate) fn documented(operation_id: &str) -> &'static [&'static str] {
    match operation_id {
        "v1_payment_direct" => field_names::<wire::V1DirectPaymentRequest>(),
        "v1_payment_oneclick" => field_names::<wire::V1OneClickPaymentRequest>(),
        "v1_payment_sdd_init" => field_names::<wire::V1SddInitRequest>(),
        "v1_payment_bybank" => field_names::<wire::V1PayByBankRequest>(),
        "v1_payment_page" => field_names::<wire::V1PaymentPageRequest>(),
        "v1_payment_cancelpage" | "v1_payment_resendpage" => {
            field_names::<wire::V1PaymentPageRefRequest>()
        }
        "v1_payment_transfer" => field_names::<wire::V1P2PTransferRequest>(),
        "v1_payment_rebill_update" => field_names::<wire::V1RebillUpdateRequest>(),
        "v1_payment_status" => field_names::<wire::V1StatusRequest>(),
        "v1_payment_refund" => field_names::<wire::V1RefundRequest>(),
        "v1_payment_capture" => field_names::<wire::V1CaptureRequest>(),
        "v1_payment_cancel" => field_names::<wire::V1CancelRequest>(),
        "v1_payment_card_list" => field_names::<wire::V1CardListRequest>(),
        "v1_payment_iban_list" => field_names::<wire::V1IbanListRequest>(),
        "v1_payment_history" => field_names::<wire::V1HistoryRequest>(),
        "v1_payment_requests" => field_names::<wire::V1PaymentRequestsRequest>(),
        "v1_payment_card_infos" => field_names::<wire::V1CardInfoRequest>(),
        "v1_user_add" => field_names::<wire::V1UserAddRequest>(),
        "v1_user_update" => field_names::<wire::V1UserUpdateRequest>(),
        "v1_user_find" => field_names::<wire::V1UserFindRequest>(),
        "v1_user_operations" => field_names::<wire::V1OperationsListRequest>(),
        "v1_user_payout" => field_names::<wire::V1PayoutRequest>(),
        "v1_user_payouts" => field_names::<wire::V1PayoutsListRequest>(),
        "v1_user_logo_add" => field_names::<wire::V1LogoAddRequest>(),
        "v1_user_activity_get" => field_names::<wire::V1ActivityGetRequest>(),
        "v1_user_activity_update" => field_names::<wire::V1ActivityUpdateRequest>(),
        "v1_kyc_add" => field_names::<wire::V1KycAddRequest>(),
        "v1_kyc_get" => field_names::<wire::V1KycGetRequest>(),
        "v1_kyc_find" => field_names::<wire::V1KycFindRequest>(),
        _ => &[],
    }
}

/// Renames each posted field (the part before any `[`) to the documented name it
/// matches case-insensitively; of several that fold to one name, the last one wins.
pub(crate) fn fold(operation_id: &str, pairs: Vec<(String, String)>) -> Vec<(String, String)> {
    let known = documented(operation_id);
    let mut out: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (name, value) in pairs {
        let (base, rest) = match name.find('[') {
            Some(i) => name.split_at(i),
            None => (name.as_str(), ""),
        };
        let canonical = known
            .iter()
            .find(|k| k.eq_ignore_ascii_case(base))
            .map_or_else(|| name.clone(), |k| format!("{k}{rest}"));
        out.retain(|(k, _)| *k != canonical);
        out.push((canonical, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_come_from_the_wire_types() {
        let names = documented("v1_payment_page");
        assert!(names.contains(&"ClientIp"), "{names:?}");
        assert!(names.contains(&"Amount"));
        assert!(documented("v1_unknown").is_empty());
    }

    #[test]
    fn names_fold_onto_the_documented_case_last_one_wins() {
        let pairs = vec![
            ("ClientIP".to_owned(), "10.0.0.1".to_owned()),
            ("AMOUNT".to_owned(), "100".to_owned()),
            ("amount".to_owned(), "200".to_owned()),
            ("Unknown".to_owned(), "x".to_owned()),
        ];
        assert_eq!(
            fold("v1_payment_page", pairs),
            vec![
                ("ClientIp".to_owned(), "10.0.0.1".to_owned()),
                ("Amount".to_owned(), "200".to_owned()),
                ("Unknown".to_owned(), "x".to_owned()),
            ]
        );
    }
}

#!/usr/bin/env bash
# Writes the seed corpora of the fuzz targets into fuzz/corpus/<target>/ (ignored by git;
# libFuzzer adds what it finds there). The seeds are the project's own example bodies in
# fixtures/*/examples/ and the documented shapes written out below, framed the way each
# target reads its input (docs/fuzzing.md, "cargo-fuzz"): an optional head of
# `name: value` lines, a blank line, then the body. Safe to rerun: it only (re)writes
# files named seed-*.
set -euo pipefail
cd "$(dirname "$0")"
fixtures=../fixtures
corpus=corpus

# seed TARGET NAME CONTENT...: writes the concatenated CONTENT (printf %b, so \n works).
seed() {
  local target=$1 name=$2
  shift 2
  mkdir -p "$corpus/$target"
  printf '%b' "$@" >"$corpus/$target/seed-$name"
}

# seed_file TARGET NAME HEAD FILE: HEAD (may be empty) then the bytes of FILE.
seed_file() {
  local target=$1 name=$2 head=$3 file=$4
  mkdir -p "$corpus/$target"
  { printf '%b' "$head"; cat "$file"; } >"$corpus/$target/seed-$name"
}

b64url() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

et=$fixtures/easytransac/examples
ep=$fixtures/easypay/examples
form='Tid=ET000001&Status=captured&Amount=18.00&OrderId=o-1&Currency=EUR&Client%5BId%5D=c-1&Client%5BEmail%5D=a%40example.org&AdditionalError%5B%5D=one&AdditionalError%5B%5D=two&3DSecure=yes'
result='{"Tid":"ET000001","Status":"captured","Amount":"18.00","OrderId":"o-1","Date":"2025-04-04 14:05:11","Client":{"Id":"c-1"},"AdditionalError":["one"]}'

# Money parsing and the wire encodings.
i=0
for amount in 29.99 0.25 120 20.5 17.50 1250 -0.01 18.000 1e2 -0 0.005 \
  92233720368547758.07 18446744073709551616 '1 234,50' '+3'; do
  seed money_text "$i" "$amount"
  i=$((i + 1))
done
seed money_round_trip zero '\x00\x00\x00\x00\x00\x00\x00\x00'
seed money_round_trip max '\xff\xff\xff\xff\xff\xff\xff\x7f\x02\x05'
seed money_round_trip min '\x00\x00\x00\x00\x00\x00\x00\x80\x04\x01'
seed money_round_trip small '\xd6\x06\x00\x00\x00\x00\x00\x00\x07\x03'
i=0
for token in 17.50 '"29.99"' 1250 '"1250"' '[12.5, "3", null]' 1e400 -0 '"-0.01"'; do
  seed amount_wire "$i" "$token"
  i=$((i + 1))
done

# Easytransac signatures.
seed et_sign_form form "$form"
seed et_sign_form nested 'A%5Bb%5D%5Bc%5D=1&A%5Bb%5D%5B%5D=2&%5Bx%5D=3&List%5B%5D=&Signature=0'
for f in "$et"/*.json; do
  seed_file et_sign_json "$(basename "$f" .json)" '' "$f"
  seed_file et_verify_response "$(basename "$f" .json)" '' "$f"
  seed_file json_document "$(basename "$f" .json)" '' "$f"
done
seed et_verify_response result "$result"

# Easypay out-payments: a genuine pair (the target signs it), and documented bodies.
seed ep_out_payment genuine 'now: 1700000000\nwindow: 300\nsignature: genuine\n\n'
seed ep_out_payment late 'now: 1800000000\nsignature: genuine\n\n'
seed ep_out_payment inline 'now: 1700000000\nwindow: 60\nsignature: AAAA\n\n' \
  '{"customer":{"name":"Bea"},"value":17.50,"method":"transfer","timestamp":"1700000000"}'
for f in "$ep"/doc_post_out*.json; do
  seed_file ep_out_payment "$(basename "$f" .json)" 'now: 1700000000\nsignature: c2ln\n\n' "$f"
  seed_file ep_sign_out_payment "$(basename "$f" .json)" 'now: 100000000\n\n' "$f"
done
seed ep_sign_out_payment inline 'now: 1\n\n' '{"value":17.50,"timestamp":"0","account":{"iban":"PT50000201231234567890154"}}'

# JWT claims: payloads (wrapped by the target) and whole tokens.
seed jwt_claims payload '{"exp":1700000000,"iat":1699990000,"nbf":1699990000,"sub":"fuzz"}'
seed jwt_claims far '{"exp":18446744073709551615,"iat":-1}'
header=$(printf '%s' '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '%s' '{"exp":1700000000,"iat":1699990000}' | b64url)
seed jwt_claims token "$header.$payload.c2ln"

# Easytransac notifications and returns.
json_unsigned=$(sed '/"Signature"/d' "$et/v1_push_notification.json")
seed et_notification form 'Content-Type: application/x-www-form-urlencoded\n\n' "$form&Signature=0123"
seed et_notification none '\n\n' "$form"
seed_file et_notification json 'Content-Type: application/json; charset=utf-8\nX-Other: 1\n\n' "$et/v1_push_notification.json"
seed et_notification_form_signed form "$form"
seed et_notification_form_signed no-content-type "!$form"
seed et_notification_json_signed push "$json_unsigned"
seed et_notification_json_signed no-content-type "!$json_unsigned"
seed et_notification_json_signed result "$result"
seed et_return form 'mode: form\n\n' "$form"
seed et_return json 'mode: json\n\n' "$json_unsigned"
seed et_return raw 'mode: raw\n\n' "$form&Signature=0123"

# Generated wire types: every example body.
for f in "$et"/*.json; do seed_file et_wire "$(basename "$f" .json)" '' "$f"; done
for f in "$ep"/*.json; do seed_file ep_wire "$(basename "$f" .json)" '' "$f"; done

# Easypay notifications.
for f in "$ep"/doc_webhook*.json "$ep"/generic_notification.json "$ep"/transaction_notification.json; do
  name=$(basename "$f" .json)
  seed_file ep_notification "$name" 'Authorization: Basic aG9va3M6czNjcmV0\nContent-Type: application/json\n\n' "$f"
  seed_file ep_notification "$name-wrong" 'Authorization: Basic aG9va3M6czNjcmV1\n\n' "$f"
  seed_file ep_notification_auth "$name" '' "$f"
  seed_file ep_notification_auth "$name-header" '!' "$f"
done

# EasypayHooks: error bodies under several statuses and operations.
i=0
for f in "$ep"/*error*.json "$ep"/single_get_200.json; do
  for head in 'status: 400\noperation: 0\n\n' 'status: 409\nretry: true\nadvice: false\noperation: 7\n\n' \
    'status: 503\nretry: false\nadvice: true\noperation: 12\n\n'; do
    seed_file ep_hooks "$i" "$head" "$f"
    i=$((i + 1))
  done
done

# Answers through the clients (the loopback server answers with the body).
seed_file et_v1_answers payment 'status: 200\ncontent-type: application/json\n\n' "$et/v1_payment_direct_200.json"
seed_file et_v1_answers error 'status: 200\ncall: neutral\n\n' "$et/v1_error.json"
seed et_v1_answers signed 'status: 200\nsign: yes\ncall: neutral\n\n' "$result"
seed et_v1_answers signed-raw 'status: 200\nsign: yes\n\n' "$result"
seed_file et_v2_answers status 'status: 200\n\n' "$et/v2_transaction_status_200.json"
seed et_v2_answers error 'status: 401\n\n' '{"success":false,"detail":"expired"}'
token="$header.$(printf '%s' '{"exp":4102444800,"iat":1700000000,"sub":"fuzz"}' | b64url).c2ln"
seed et_v2_token token "{\"success\":true,\"date\":\"2025-01-01T00:00:00+00:00\",\"data\":{\"token\":\"$token\",\"expiresIn\":3600}}"
seed et_v2_token unreadable '{"success":true,"date":"2025-01-01T00:00:00+00:00","data":{"token":"a.b.c","expiresIn":9223372036854775807}}'
seed_file ep_answers payment 'status: 200\ncall: 0\n\n' "$ep/single_get_200.json"
seed_file ep_answers refund 'status: 200\ncall: 1\n\n' "$ep/doc_get_refund_id_200.json"
seed_file ep_answers single 'status: 200\ncall: 2\n\n' "$ep/doc_get_single_id_200.json"
seed_file ep_answers error 'status: 400\n\n' "$ep/error_400.json"

echo "seeds: $(find "$corpus" -name 'seed-*' | wc -l) files in $(ls "$corpus" | wc -l) corpora ($(du -sh "$corpus" | cut -f1))"

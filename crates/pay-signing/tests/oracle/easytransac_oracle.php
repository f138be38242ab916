<?php
// Independent re-implementation of the Easytransac V1 signature rules of
// shared/reference/easytransac.md §2.2, written from that description (not from the
// provider's SDK), run under php-cli 8.2 so that PHP itself supplies ksort, key
// casting and float-to-string behaviour. Usage: php easytransac_oracle.php cases.json
function canonical($params, string $key): string {
    if (!is_array($params)) {
        return $params . '$' . $key;
    }
    $params = array_change_key_case($params, CASE_LOWER);
    ksort($params);
    $out = '';
    foreach ($params as $k => $v) {
        if (is_string($k) && $k === 'signature') {
            continue;
        }
        if (is_array($v)) {
            $v = array_change_key_case($v, CASE_LOWER);
            ksort($v);
            foreach ($v as $inner) {
                if (is_array($inner)) {
                    throw new Exception('nested too deeply');
                }
                $out .= $inner . '$';
            }
        } else {
            $out .= $v . '$';
        }
    }
    return $out . $key;
}

$cases = json_decode(file_get_contents($argv[1]), true);
$results = [];
foreach ($cases as $case) {
    if ($case['kind'] === 'json') {
        $params = json_decode($case['input'], true, 512, JSON_THROW_ON_ERROR);
    } else {
        $query = implode('&', array_map(fn($p) => rawurlencode($p[0]) . '=' . rawurlencode($p[1]), $case['input']));
        parse_str($query, $params);
    }
    $canonical = canonical($params, $case['api_key']);
    $results[] = ['name' => $case['name'], 'canonical' => $canonical, 'signature' => sha1($canonical)];
}
echo json_encode($results, JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";

<?php

/**
 * What the page shows as the client: the program's own name and version when it sent them with
 * IMAP ID, else a readable hint derived from the JA4 fingerprint of its TLS ClientHello.
 *
 * A JA4 starts with the transport (`t` = TCP), the highest TLS version the client offered
 * (`13`, `12`, `11`, `10`, `s3`) and `d`/`i` (server name sent or not), e.g. `t13d1516h2_…`.
 * The built-in table below maps those prefixes; `tlsfloor_history_ja4_names` adds the operator's
 * own (prefixes or whole fingerprints => program names). The longest matching prefix wins.
 */
final class tlsfloor_history_client_hint
{
    /** JA4 prefix => localization label. */
    const BUILT_IN = [
        't13' => 'clienttls13',
        't12' => 'clienttls12',
        't11' => 'clientoldtls',
        't10' => 'clientoldtls',
        'ts3' => 'clientssl3',
    ];

    /** @var array<string, string> JA4 prefix => text, longest prefix first */
    private array $names = [];

    private string $unknown;

    /**
     * @param array    $operator_names JA4 prefix => program name (shown as is)
     * @param callable $gettext        label => localized text
     */
    public function __construct(array $operator_names, callable $gettext)
    {
        foreach (self::BUILT_IN as $prefix => $label) {
            $this->names[$prefix] = $gettext($label);
        }
        foreach ($operator_names as $prefix => $name) {
            $this->names[(string) $prefix] = (string) $name;
        }
        // Longest first, so that the first match is the most specific one.
        uksort($this->names, fn ($a, $b) => strlen($b) <=> strlen($a));
        $this->unknown = $gettext('clientunknown');
    }

    /** Plain text (the caller escapes it). */
    public function describe(tlsfloor_history_login $login): string
    {
        if ($login->client_name !== null && $login->client_name !== '') {
            return trim($login->client_name . ' ' . $login->client_version);
        }

        foreach ($this->names as $prefix => $name) {
            if ($login->ja4 !== null && str_starts_with($login->ja4, (string) $prefix)) {
                return $name;
            }
        }

        return $this->unknown;
    }
}

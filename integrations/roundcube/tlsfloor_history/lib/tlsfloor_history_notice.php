<?php

/**
 * The operator's explanation shown with every TLS 1.0/1.1 login, and the cut-off date after which
 * such logins fail (`tlsfloor_history_notice`, `tlsfloor_history_cutoff`).
 */
final class tlsfloor_history_notice
{
    public function __construct(
        public readonly string $text,
        public readonly ?DateTimeImmutable $cutoff,
    ) {
    }

    /**
     * `tlsfloor_history_notice` is one text, or texts by language (`['de_DE' => …, 'en_US' => …]`:
     * the user's language, else en_US, else the first). Unset: the plugin's own default text.
     * `tlsfloor_history_cutoff` is a date, `YYYY-MM-DD`.
     */
    public static function from_config(rcube_config $config, string $language, string $default_text): self
    {
        $text = $config->get('tlsfloor_history_notice');
        if (is_array($text)) {
            $text = $text[$language] ?? $text['en_US'] ?? reset($text);
        }

        $cutoff = null;
        $date   = (string) $config->get('tlsfloor_history_cutoff');
        if ($date !== '') {
            $cutoff = DateTimeImmutable::createFromFormat('!Y-m-d', $date) ?: null;
            if ($cutoff === null) {
                rcube::raise_error([
                        'code' => 500, 'file' => __FILE__, 'line' => __LINE__,
                        'message' => "tlsfloor_history_cutoff: \"$date\" is not a date (use YYYY-MM-DD)",
                    ], true, false);
            }
        }

        return new self(is_string($text) && $text !== '' ? $text : $default_text, $cutoff);
    }
}

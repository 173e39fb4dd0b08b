<?php

/**
 * One row of tlsfloord's `logins` table (schema v1), as the page needs it.
 */
final class tlsfloor_history_login
{
    /** `tls_version` values of the versions being switched off (RFC 8996), as tlsfloord writes them. */
    const LEGACY_VERSIONS = ['SSLv3', 'TLSv1.0', 'TLSv1.1'];

    public function __construct(
        public readonly DateTimeImmutable $time,
        public readonly string $protocol,
        public readonly ?string $tls_version,
        public readonly ?string $ja4,
        public readonly ?string $client_name,
        public readonly ?string $client_version,
        public readonly string $client_address,
        public readonly string $outcome,
        public readonly ?string $refusal_kind,
    ) {
    }

    /**
     * @param array $row A fetched row; `time` is ISO 8601 text (SQLite) or a timestamptz in the
     *                   session's time zone (PostgreSQL), both read with their zone and kept in UTC.
     */
    public static function from_row(array $row): self
    {
        return new self(
            (new DateTimeImmutable($row['time']))->setTimezone(new DateTimeZone('UTC')),
            $row['protocol'],
            $row['tls_version'],
            $row['ja4'],
            $row['client_name'],
            $row['client_version'],
            $row['client_address'],
            $row['outcome'],
            $row['refusal_kind'],
        );
    }

    public function is_legacy(): bool
    {
        return in_array($this->tls_version, self::LEGACY_VERSIONS, true);
    }
}

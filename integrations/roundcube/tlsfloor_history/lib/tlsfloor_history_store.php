<?php

/**
 * Reads tlsfloord's login history store (docs/history.md), read-only, through PDO: an SQLite file
 * (`sqlite:/var/lib/tlsfloor/history.db`, opened read-only) or PostgreSQL (`pgsql:host=…;dbname=…`,
 * meant for a role with SELECT only; the session is made read-only as well).
 *
 * Every query is for one user name, passed as a bound parameter: a user never sees another's rows.
 */
final class tlsfloor_history_store
{
    /** The schema version this plugin reads; tlsfloord's migrations raise it. */
    const SCHEMA_VERSION = 1;

    /** The values of the `protocol` column. */
    const PROTOCOLS = ['imap', 'pop3', 'smtp'];

    private PDO $db;

    /** The DSN for the operator's log: without the password a pgsql DSN may carry. */
    public static function redacted(string $dsn): string
    {
        return preg_replace('/password=[^;]*/i', 'password=…', $dsn);
    }

    /** @throws PDOException|RuntimeException when the store cannot be opened or has another schema */
    public function __construct(string $dsn)
    {
        if ($dsn === '') {
            throw new RuntimeException('tlsfloor_history_dsn is not set');
        }

        $options = [
            PDO::ATTR_ERRMODE            => PDO::ERRMODE_EXCEPTION,
            PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
            PDO::ATTR_TIMEOUT            => 5,  // SQLite: busy timeout while tlsfloord writes a batch
        ];
        if (str_starts_with($dsn, 'sqlite:')) {
            $options[PDO::SQLITE_ATTR_OPEN_FLAGS] = PDO::SQLITE_OPEN_READONLY;
        }

        $this->db = new PDO($dsn, null, null, $options);

        if ($this->db->getAttribute(PDO::ATTR_DRIVER_NAME) === 'pgsql') {
            $this->db->exec('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY');
        }

        $version = $this->db->query('SELECT version FROM tlsfloor_schema')->fetchColumn();
        if ((int) $version !== self::SCHEMA_VERSION) {
            throw new RuntimeException(sprintf('the store has schema version %s; this plugin reads version %d'
                . ' (update the plugin together with tlsfloord)', var_export($version, true), self::SCHEMA_VERSION));
        }
    }

    /**
     * The user's logins since `$since`, newest first, at most `$limit`.
     *
     * @param string|null $protocol One of PROTOCOLS, or null for all
     * @param string[]    $hidden_listeners Listener names whose rows are left out (e.g. the webmail's own)
     *
     * @return tlsfloor_history_login[]
     */
    public function logins(string $user, DateTimeImmutable $since, ?string $protocol, array $hidden_listeners,
        int $limit): array
    {
        $hidden = [];
        foreach (array_values($hidden_listeners) as $index => $listener) {
            $hidden[":hidden$index"] = (string) $listener;
        }

        $sql = 'SELECT time, protocol, tls_version, ja4, client_name, client_version, client_address,'
            . ' outcome, refusal_kind FROM logins WHERE user_name = :user AND time >= :since'
            . ($protocol === null ? '' : ' AND protocol = :protocol')
            . ($hidden ? ' AND listener NOT IN (' . implode(', ', array_keys($hidden)) . ')' : '')
            . ' ORDER BY time DESC LIMIT :limit';

        $statement = $this->db->prepare($sql);
        $statement->bindValue(':user', $user);
        // The schema's time format: ISO 8601 UTC with milliseconds, which sorts (and compares) as text.
        $statement->bindValue(':since', $since->setTimezone(new DateTimeZone('UTC'))->format('Y-m-d\TH:i:s.v\Z'));
        if ($protocol !== null) {
            $statement->bindValue(':protocol', $protocol);
        }
        foreach ($hidden as $name => $listener) {
            $statement->bindValue($name, $listener);
        }
        $statement->bindValue(':limit', $limit, PDO::PARAM_INT);
        $statement->execute();

        return array_map([tlsfloor_history_login::class, 'from_row'], $statement->fetchAll());
    }
}

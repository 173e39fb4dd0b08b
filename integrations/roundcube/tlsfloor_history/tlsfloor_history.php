<?php

/**
 * tlsfloor login history: adds "Login history" to Roundcube's Settings, where a user sees their own
 * IMAP, POP3 and SMTP logins as tlsfloord recorded them — with the TLS version, the client and the
 * address — and the TLS 1.0/1.1 ones highlighted with the operator's notice and cut-off date.
 *
 * The store is tlsfloord's `[history]` database (schema in tlsfloor's docs/history.md), read-only.
 * Configuration: config.inc.php.dist; installation and permissions: README.md.
 *
 * @license MIT (see LICENSE in the tlsfloor repository)
 */

require_once __DIR__ . '/lib/tlsfloor_history_login.php';
require_once __DIR__ . '/lib/tlsfloor_history_store.php';
require_once __DIR__ . '/lib/tlsfloor_history_client_hint.php';
require_once __DIR__ . '/lib/tlsfloor_history_notice.php';
require_once __DIR__ . '/lib/tlsfloor_history_page.php';

class tlsfloor_history extends rcube_plugin
{
    /** Settings is the only place the page lives; the plugin is not loaded for other tasks. */
    public $task = 'settings';

    const ACTION = 'plugin.tlsfloor_history';

    public function init()
    {
        $this->load_config();
        $this->add_texts('localization/');
        $this->add_hook('settings_actions', [$this, 'settings_actions']);
        $this->register_action(self::ACTION, [$this, 'show']);
        // On every Settings page: the section list there carries this plugin's entry and icon.
        $this->include_stylesheet($this->local_skin_path() . '/tlsfloor_history.css');
    }

    /** The "Login history" entry in the Settings section list. */
    public function settings_actions($args)
    {
        $args['actions'][] = [
            'action' => self::ACTION,
            'class'  => 'tlsfloor-history',
            'label'  => 'loginhistory',
            'title'  => 'loginhistorytitle',
            'domain' => $this->ID,
        ];

        return $args;
    }

    public function show()
    {
        $rcmail = rcmail::get_instance();
        $this->register_handler('plugin.loginhistory', [$this, 'history_html']);
        $rcmail->output->set_pagetitle($this->gettext('loginhistory'));
        $rcmail->output->send($this->ID . '.history');
    }

    /** The page body: the session user's rows, or a short message when the store cannot be read. */
    public function history_html($attrib)
    {
        $rcmail   = rcmail::get_instance();
        $days     = max(1, (int) $rcmail->config->get('tlsfloor_history_days', 90));
        $max_rows = max(1, (int) $rcmail->config->get('tlsfloor_history_max_rows', 500));
        $protocol = rcube_utils::get_input_string('_protocol', rcube_utils::INPUT_GET);
        $protocol = in_array($protocol, tlsfloor_history_store::PROTOCOLS, true) ? $protocol : null;
        $page     = new tlsfloor_history_page($this, $rcmail, self::ACTION,
            new tlsfloor_history_client_hint((array) $rcmail->config->get('tlsfloor_history_ja4_names', []),
                fn ($label) => $this->gettext($label)),
            tlsfloor_history_notice::from_config($rcmail->config, $rcmail->get_user_language(),
                $this->gettext('legacynoticedefault')));

        $dsn = (string) $rcmail->config->get('tlsfloor_history_dsn');
        try {
            $store  = new tlsfloor_history_store($dsn);
            // The name this session logs in to IMAP with — as the client sent it, which is what
            // tlsfloord records. Never anything from the request.
            $since  = new DateTimeImmutable("-{$days} days");
            $logins = $store->logins((string) $_SESSION['username'], $since, $protocol,
                (array) $rcmail->config->get('tlsfloor_history_hide_listeners', []), $max_rows + 1);
        }
        catch (Throwable $error) {
            // The details (path, DSN, driver message) go to the operator's log, not to the user.
            rcube::raise_error([
                    'code' => 500, 'file' => __FILE__, 'line' => __LINE__,
                    'message' => 'tlsfloor_history: cannot read the login history from '
                        . tlsfloor_history_store::redacted($dsn) . ': ' . $error->getMessage(),
                ], true, false);

            return html::div(['id' => $attrib['id'] ?? null, 'class' => 'tlsfloor-history-page boxerror'],
                rcube::Q($this->gettext('storeunavailable')));
        }

        return html::div(['id' => $attrib['id'] ?? null, 'class' => 'tlsfloor-history-page'],
            $page->render(array_slice($logins, 0, $max_rows), $protocol, $days, count($logins) > $max_rows));
    }
}

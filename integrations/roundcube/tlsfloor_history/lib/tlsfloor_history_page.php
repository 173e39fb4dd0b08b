<?php

/**
 * The HTML of the Login history page: a protocol filter, then one table per protocol (IMAP, POP3,
 * SMTP), newest first; TLS 1.0/1.1 rows are highlighted and followed by the operator's notice.
 *
 * Everything from the store is escaped here (rcube::Q, and html::tag for attributes): user names,
 * client names and addresses come from the network.
 */
final class tlsfloor_history_page
{
    const PROTOCOL_NAMES = ['imap' => 'IMAP', 'pop3' => 'POP3', 'smtp' => 'SMTP'];

    const COLUMNS = ['time', 'tlsversion', 'client', 'address', 'result'];

    public function __construct(
        private rcube_plugin $plugin,
        private rcmail $rcmail,
        private string $action,
        private tlsfloor_history_client_hint $hints,
        private tlsfloor_history_notice $notice,
    ) {
    }

    /**
     * @param tlsfloor_history_login[] $logins    newest first
     * @param string|null              $protocol  the filter in force
     * @param bool                     $truncated more rows exist than are shown
     */
    public function render(array $logins, ?string $protocol, int $days, bool $truncated): string
    {
        $html = html::p('tlsfloor-intro', $this->text('intro', ['days' => $days]))
            . $this->filter($protocol);

        if ($truncated) {
            $html .= html::p('tlsfloor-truncated', $this->text('truncated', ['count' => count($logins)]));
        }
        if (array_filter($logins, fn ($login) => $login->is_legacy())) {
            $html .= html::div(['class' => 'tlsfloor-legacy-summary boxwarning', 'role' => 'alert'],
                $this->text('legacysummary') . ' ' . $this->cutoff_sentence());
        }
        if (!$logins) {
            return $html . html::p('tlsfloor-empty', $this->text('nologins', ['days' => $days]));
        }

        foreach (self::PROTOCOL_NAMES as $name => $title) {
            $rows = array_filter($logins, fn ($login) => $login->protocol === $name);
            if ($rows) {
                $html .= html::tag('section', ['class' => 'tlsfloor-protocol', 'data-protocol' => $name],
                    html::tag('h2', null, rcube::Q($title)) . $this->table($rows));
            }
        }

        return $html;
    }

    /** Links: all protocols, then each one; the current choice is marked for the eye and for screen readers. */
    private function filter(?string $current): string
    {
        $choices = ['all' => $this->text('allprotocols')];
        foreach (self::PROTOCOL_NAMES as $name => $title) {
            $choices[$name] = rcube::Q($title);
        }

        $links = '';
        foreach ($choices as $choice => $label) {
            $name     = $choice === 'all' ? null : $choice;
            $selected = $name === $current;
            $links   .= html::a([
                    'href'          => $this->rcmail->url(['_action' => $this->action, '_protocol' => $name]),
                    'class'         => 'tlsfloor-filter-choice' . ($selected ? ' selected' : ''),
                    'aria-current'  => $selected ? 'page' : null,
                    'data-protocol' => $choice,
                ], $label);
        }

        return html::tag('nav', ['class' => 'tlsfloor-filter', 'aria-label' => $this->plugin->gettext('protocol')],
            $links);
    }

    /** @param tlsfloor_history_login[] $logins */
    private function table(array $logins): string
    {
        $header = '';
        foreach (self::COLUMNS as $column) {
            $header .= html::tag('th', ['scope' => 'col'], $this->text($column));
        }

        $body = '';
        foreach ($logins as $login) {
            $body .= $this->row($login);
        }

        return html::tag('table', 'table tlsfloor-logins',
            html::tag('thead', null, html::tag('tr', null, $header)) . html::tag('tbody', null, $body));
    }

    private function row(tlsfloor_history_login $login): string
    {
        $legacy = $login->is_legacy();
        $tls    = $login->tls_version === null ? '–' : str_replace('v', ' ', $login->tls_version);
        $cells  = [
            html::tag('time', ['datetime' => $login->time->format('Y-m-d\TH:i:s.v\Z')],
                rcube::Q($this->rcmail->format_date($login->time, $this->rcmail->config->get('date_long', 'Y-m-d H:i')))),
            rcube::Q($tls) . ($legacy ? ' ' . html::span('tlsfloor-badge', $this->text('outdated')) : ''),
            html::span(['class' => 'tlsfloor-client', 'title' => $login->ja4 ? "JA4 {$login->ja4}" : null],
                rcube::Q($this->hints->describe($login))),
            rcube::Q($login->client_address),
            $this->result($login),
        ];

        $html = '';
        foreach ($cells as $index => $cell) {
            $html .= html::tag('td', ['class' => 'tlsfloor-' . self::COLUMNS[$index]], $cell);
        }
        $html = html::tag('tr', [
                'class'            => 'tlsfloor-login' . ($legacy ? ' tlsfloor-legacy' : ''),
                'data-tls-version' => $login->tls_version,
                'data-protocol'    => $login->protocol,
            ], $html);

        if ($legacy) {
            $html .= html::tag('tr', 'tlsfloor-legacy-notice', html::tag('td', ['colspan' => count(self::COLUMNS)],
                html::tag('strong', null, $this->cutoff_sentence()) . ' ' . rcube::Q($this->notice->text)));
        }

        return $html;
    }

    private function result(tlsfloor_history_login $login): string
    {
        return match ($login->outcome) {
            'accepted'       => $this->text('accepted'),
            'rejected'       => $this->text('rejected'),
            'refused_legacy' => $this->text($login->refusal_kind === 'temporary' ? 'refusedtemporarily' : 'refusedlegacy'),
            default          => rcube::Q($login->outcome),
        };
    }

    /** "From 30.09.2026, logins like this fail." — or "since", or no date when none is configured. */
    private function cutoff_sentence(): string
    {
        $cutoff = $this->notice->cutoff;
        if ($cutoff === null) {
            return $this->text('cutoffunknown');
        }

        $date = $this->rcmail->format_date($cutoff, $this->rcmail->config->get('date_format', 'Y-m-d'), false);

        return $this->text($cutoff > new DateTimeImmutable() ? 'cutofffuture' : 'cutoffpast', ['date' => $date]);
    }

    /** A localized label, escaped for HTML (with `$name` placeholders filled in). */
    private function text(string $label, array $vars = []): string
    {
        return rcube::Q($this->plugin->gettext(['name' => $label, 'vars' => $vars]));
    }
}

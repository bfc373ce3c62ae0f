// The codec server's two pages: sign in with an admin credential (the cookie the Temporal UI's
// requests then carry), and the next step once signed in. No script, nothing from the request echoed but our own messages.

const escape = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const page = (body: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dialer codec server</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}input{width:100%;font:inherit;padding:.3em}p.note{color:#a33}</style>
</head><body><h1>Dialer codec server</h1>${body}</body></html>`;

export function loginPage(note?: string): string {
  return page(`${note ? `<p class="note">${escape(note)}</p>` : ''}
<p>The Temporal UI shows the dialer's workflow histories encrypted; this server decrypts them for admins.
Sign in with an <b>admin</b> API key (<code>npm run api:key -- create &lt;name&gt; admin</code>) or the session
token an admin's <code>login</code> mutation returns.</p>
<form method="post" action="/login"><label>Key or session token<br><input type="password" name="token" autocomplete="off" required></label>
<p><button type="submit">Sign in</button></p></form>`);
}

export function signedInPage(origins: readonly string[]): string {
  return page(`<p>Signed in for 12 hours (or until the key is revoked or the session ends).</p>
<p>In the Temporal UI (${origins.map((o) => `<code>${escape(o)}</code>`).join(', ') || 'no origin is allowed: set CODEC_SERVER_CORS_ORIGINS'}),
open the codec server settings, set this server's address as the endpoint and turn on <b>Include cross-origin credentials</b>.</p>
<form method="post" action="/logout"><button type="submit">Sign out</button></form>`);
}

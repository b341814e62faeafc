// Shown (with 401) to anyone without a valid session (429 after too many failed logins); says so
// plainly when no admin token is set.
import { Layout } from './layout.js';

export function LoginPage(props: { enabled: boolean; failed?: boolean; throttled?: boolean }) {
  return (
    <Layout title="Log in" section="none" loggedIn={false}>
      <div class="card login">
        <h1>Tollgate dashboard</h1>
        {props.enabled ? (
          <form method="post" action="/logs/login">
            <label for="token">Admin token</label>
            <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
            {props.failed && !props.throttled && <p class="notice">That token is not valid.</p>}
            {props.throttled && <p class="notice">Too many failed attempts from this address; wait a few minutes.</p>}
            <button class="primary" type="submit">
              Log in
            </button>
          </form>
        ) : (
          <p class="notice" id="disabled">
            The dashboard is disabled: no admin token is configured. Set TOLLGATE_ADMIN_TOKEN and restart the gateway.
          </p>
        )}
      </div>
    </Layout>
  );
}

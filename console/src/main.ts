// The console's entry: sign-in state, the navigation for the views the signed-in organisation
// may use, and a small hash router. Each view renders into <main> and moves focus there.
import { ApiError, forgetToken, get, token } from './api.ts';
import { disposeCharts } from './charts.ts';
import { alert, h } from './dom.ts';
import type { Me } from './types.ts';
import { renderCommissioning } from './views/commissioning.ts';
import { renderHost } from './views/host.ts';
import { renderPlacing } from './views/placing.ts';
import { renderSignIn } from './views/sign-in.ts';

const main = document.getElementById('main')!;
const nav = document.getElementById('nav')!;
const scope = document.getElementById('scope')!;

const VIEW_NAMES: Record<Me['views'][number], string> = {
  placing: 'Our children',
  host: 'Placed in our area',
  commissioning: 'Commissioning',
};

let me: Me | undefined;

function renderNav(current: string | undefined): void {
  if (!me) {
    nav.replaceChildren();
    scope.textContent = '';
    return;
  }
  const signOut = h('button', { type: 'button' }, 'Sign out');
  signOut.addEventListener('click', () => {
    forgetToken();
    me = undefined;
    location.hash = '#/sign-in';
  });
  nav.replaceChildren(
    h(
      'ul',
      {},
      ...me.views.map((view) =>
        h(
          'li',
          {},
          h(
            'a',
            { href: `#/${view}`, 'aria-current': view === current ? 'page' : undefined },
            VIEW_NAMES[view],
          ),
        ),
      ),
      h('li', {}, signOut),
    ),
  );
  scope.textContent = `Signed in: ${me.scope.name} (${me.roles.join(', ')})`;
}

async function route(): Promise<void> {
  disposeCharts();
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const params = new URLSearchParams(query);
  if (!token()) {
    me = undefined;
    renderNav(undefined);
    renderSignIn(main);
    return;
  }
  try {
    me ??= await get<Me>('/v1/commissioning/me');
  } catch (error) {
    forgetToken();
    me = undefined;
    renderNav(undefined);
    renderSignIn(
      main,
      error instanceof ApiError ? `Sign-in refused: ${error.message}` : 'The platform could not be reached.',
    );
    return;
  }
  const view = (me.views as string[]).includes(path) ? (path as Me['views'][number]) : me.views[0];
  renderNav(view);
  main.replaceChildren(h('p', { role: 'status' }, 'Loading…'));
  main.setAttribute('aria-busy', 'true');
  try {
    if (view === 'placing') await renderPlacing(main, me, params);
    else if (view === 'host') await renderHost(main, me, params);
    else if (view === 'commissioning') await renderCommissioning(main, me, params);
    else
      main.replaceChildren(
        h('h1', {}, 'Nothing to show'),
        h('p', {}, 'Your organisation has no console views.'),
      );
  } catch (error) {
    main.replaceChildren(
      h('h1', {}, 'Something went wrong'),
      alert(error instanceof Error ? error.message : String(error)),
    );
  } finally {
    main.removeAttribute('aria-busy');
    main.dataset.view = view ?? '';
    main.dataset.ready = 'true';
  }
  main.focus();
}

window.addEventListener('hashchange', () => {
  delete main.dataset.ready;
  void route();
});
void route();

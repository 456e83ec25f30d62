// Sign in with a development token (printed by `pnpm token`): the token stays in this browser
// session only and is sent as a bearer token with every request.
import { claims, saveToken } from '../api.ts';
import { alert, field, fill, h } from '../dom.ts';

export function renderSignIn(main: HTMLElement, message?: string): void {
  document.title = 'Sign in – Placements console';
  const textarea = h('textarea', {
    id: 'token',
    name: 'token',
    required: true,
    spellcheck: 'false',
    autocomplete: 'off',
  });
  const errors = h('div', { id: 'sign-in-errors' });
  const form = h(
    'form',
    { novalidate: true },
    field(
      'Development token',
      textarea,
      'Print one with: pnpm token --org E08000003 --role placing-authority (or --role host-authority; --org consortium:greater-manchester --role commissioner; --org ops --role ops)',
    ),
    h('p', {}, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    errors,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = textarea.value.trim();
    const parsed = claims(value);
    if (!parsed?.org || !Array.isArray(parsed.roles)) {
      errors.replaceChildren(alert('That is not a token: paste the whole line printed by pnpm token.'));
      textarea.setAttribute('aria-invalid', 'true');
      textarea.focus();
      return;
    }
    saveToken(value);
    location.hash = '#/';
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  });
  fill(
    main,
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { class: 'lede' },
      'Placing authorities see their children’s placements, out-of-area flows and compliance; host authorities see who is placed in their area; commissioners, consortia and ops see gaps, forecasts and the market.',
    ),
    message ? alert(message) : null,
    form,
  );
}

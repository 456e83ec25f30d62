// Building DOM safely: every piece of data goes in as text (never as HTML), tables get a caption
// and column headers with scope, and charts get a figure, a caption and an accessible name.
type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return element;
}

export interface Column<T> {
  header: string;
  cell: (row: T) => string | Node;
  numeric?: boolean;
}

let tableCount = 0;

/** A scrollable table with a caption; the scroll region is focusable so keyboard users can scroll it. */
export function table<T>(
  caption: string,
  columns: readonly Column<T>[],
  rows: readonly T[],
  limit = 200,
): HTMLElement {
  const id = `table-${++tableCount}`;
  const shown = rows.slice(0, limit);
  const note = rows.length > shown.length ? ` (first ${shown.length} of ${rows.length})` : '';
  const element = h(
    'table',
    { id },
    h('caption', {}, `${caption}${note}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...columns.map((c) => h('th', { scope: 'col', class: c.numeric ? 'num' : undefined }, c.header)),
      ),
    ),
    h(
      'tbody',
      {},
      ...(shown.length === 0
        ? [h('tr', {}, h('td', { colspan: columns.length }, 'Nothing to show.'))]
        : shown.map((row) =>
            h(
              'tr',
              {},
              ...columns.map((c) => h('td', { class: c.numeric ? 'num' : undefined }, c.cell(row))),
            ),
          )),
    ),
  );
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': `${id}-caption` },
    withCaptionId(element, id),
  );
}

function withCaptionId(element: HTMLTableElement, id: string): HTMLTableElement {
  element.caption?.setAttribute('id', `${id}-caption`);
  return element;
}

let chartCount = 0;

/** A figure for a chart: caption, the drawing surface (role img with an accessible name) and a note. */
export function figure(
  caption: string,
  description: string,
  options: { tall?: boolean; note?: string } = {},
) {
  const id = `chart-${++chartCount}`;
  const surface = h('div', {
    class: options.tall ? 'chart tall' : 'chart',
    id,
    role: 'img',
    'aria-label': description,
  });
  const element = h(
    'figure',
    { 'aria-labelledby': `${id}-caption` },
    h('figcaption', { id: `${id}-caption` }, caption),
    surface,
    options.note ? h('p', { class: 'chart-note' }, options.note) : null,
  );
  return { element, surface };
}

export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `field-${Math.random().toString(36).slice(2, 9)}`;
  control.id = id;
  const hintId = hint ? `${id}-hint` : undefined;
  if (hintId) control.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    control,
  );
}

export function select(
  options: readonly { value: string; label: string }[],
  value?: string,
): HTMLSelectElement {
  const element = h('select', {}, ...options.map((o) => h('option', { value: o.value }, o.label)));
  if (value !== undefined) element.value = value;
  return element;
}

export function tiles(items: readonly { label: string; value: string }[]): HTMLElement {
  return h(
    'ul',
    { class: 'tiles' },
    ...items.map((item) =>
      h(
        'li',
        { class: 'tile' },
        h('span', { class: 'value' }, item.value),
        h('span', { class: 'label' }, item.label),
      ),
    ),
  );
}

export function alert(message: string): HTMLElement {
  return h('div', { class: 'alert', role: 'alert' }, message);
}

export function status(text: string, tone: 'good' | 'bad' | 'neutral'): HTMLElement {
  return h('span', { class: `status ${tone}` }, text);
}

/** Replaces an element's content, skipping absent pieces. */
export function fill(element: HTMLElement, ...children: Child[]): void {
  element.replaceChildren(
    ...children.filter(
      (child): child is Node | string => child !== null && child !== undefined && child !== false,
    ),
  );
}

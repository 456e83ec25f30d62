// How figures read in the console: counts (with suppressed cells shown as "fewer than 5"),
// shares, money and dates in en-GB.
export interface Count {
  value: number | null;
  suppressed: boolean;
}

const number = new Intl.NumberFormat('en-GB');
const money = new Intl.NumberFormat('en-GB', {
  style: 'currency',
  currency: 'GBP',
  maximumFractionDigits: 0,
});

export function n(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : number.format(value);
}

export function c(cell: Count | undefined): string {
  if (!cell) return '–';
  return cell.suppressed || cell.value === null ? '<5' : number.format(cell.value);
}

export function pct(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : `${Math.round(value * 1000) / 10}%`;
}

export function gbp(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : money.format(value);
}

export function date(value: string | null | undefined): string {
  if (!value) return '–';
  const d = new Date(value.length === 10 ? `${value}T12:00:00Z` : value);
  return d.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'Europe/London',
  });
}

export function month(value: string): string {
  return new Date(`${value}-15T12:00:00Z`).toLocaleDateString('en-GB', {
    month: 'short',
    year: 'numeric',
    timeZone: 'Europe/London',
  });
}

export function label(slug: string): string {
  const text = slug.replace(/-/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

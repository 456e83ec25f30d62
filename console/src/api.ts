// Talking to the platform: the development token kept for the browser session, authenticated
// JSON requests, problem+json errors turned into readable messages, and CSV downloads.
const TOKEN_KEY = 'placements-console-token';

export function token(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function saveToken(value: string): void {
  sessionStorage.setItem(TOKEN_KEY, value);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

async function request(path: string, accept: string): Promise<Response> {
  const bearer = token();
  const response = await fetch(path, {
    headers: { accept, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
  });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const problem = (await response.json()) as {
        title?: string;
        detail?: string;
        errors?: { path: string; message: string }[];
      };
      message = [
        problem.title,
        problem.detail,
        ...(problem.errors ?? []).map((e) => `${e.path}: ${e.message}`),
      ]
        .filter(Boolean)
        .join(' — ');
    } catch {
      // not problem+json
    }
    throw new ApiError(response.status, message);
  }
  return response;
}

export async function get<T>(path: string): Promise<T> {
  return (await request(path, 'application/json')).json() as Promise<T>;
}

/** Fetches a CSV with the token and hands it to the browser as a download. */
export async function download(path: string, filename: string): Promise<void> {
  const blob = await (await request(path, 'text/csv')).blob();
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The claims of a JWT, read without verifying (the server verifies). */
export function claims(jwt: string): { org?: string; roles?: string[]; sub?: string; exp?: number } | null {
  const part = jwt.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(json) as { org?: string; roles?: string[] };
  } catch {
    return null;
  }
}

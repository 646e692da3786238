/**
 * A small client of the public HTTP API (docs/api.md), used by `gx demo` and the end-to-end test: it knows only
 * what a wallet or admin app knows.
 */

export interface ApiError extends Error {
  status: number;
  body: unknown;
}

export interface CommandView {
  commandId: string;
  commandType: string;
  status: 'PENDING' | 'SUBMITTED' | 'COMMITTED' | 'FAILED';
  attempts: number;
  fabricTxId: string | null;
  blockNumber: number | string | null;
  error: string | null;
  retrying?: boolean;
  projectedAt?: string | null;
}

/** How a command's event stream ended: read model updated, or failed for good. */
export interface CommandOutcome {
  outcome: 'projected' | 'failed';
  command: CommandView;
}

/** How often one request is sent again after a 429 before the 429 is reported. */
const MAX_RATE_LIMIT_RETRIES = 5;
/** The longest wait honoured from one Retry-After (a demo should not hang for an hour). */
const MAX_RETRY_AFTER_MS = 60_000;

/** Milliseconds to wait for a `Retry-After` value (delay in seconds, or an HTTP date); 1 s when absent or unreadable. */
export function retryAfterMs(value: string | null, now: number = Date.now()): number {
  if (value === null || value.trim() === '') return 1000;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  if (Number.isNaN(ms)) return 1000;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  /** A client that sends `token` as its bearer token. */
  as(token: string): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  /** Sends `body` as JSON, or a FormData as multipart/form-data (fetch sets its boundary). */
  async request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const form = body instanceof FormData;
    const send = () =>
      this.fetch(new URL(path, this.baseUrl), {
        method,
        headers: {
          ...(body === undefined || form ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : form ? body : JSON.stringify(body),
      });
    let response = await send();
    // A rate limit is the server saying "later", not "no": wait as long as it asks and try again (a few times).
    for (let retry = 0; response.status === 429 && retry < MAX_RATE_LIMIT_RETRIES; retry += 1) {
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, retryAfterMs(response.headers.get('retry-after'))));
      response = await send();
    }
    const text = await response.text();
    const parsed: unknown = text === '' ? undefined : JSON.parse(text);
    if (!response.ok) {
      const error = new Error(`${method} ${path} → ${response.status}: ${text}`) as ApiError;
      error.status = response.status;
      error.body = parsed;
      throw error;
    }
    return parsed as T;
  }

  /** fetch, with an error that says what to do when nothing answers. */
  private async fetch(url: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (error) {
      throw new Error(
        `Cannot reach the API at ${url.origin} (${(error as Error).cause ?? error}). Is it running (npm run dev)?`,
      );
    }
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, body ?? {});
  }

  /**
   * Follows `/commands/:id/events` (Server-Sent Events) until the command is projected or fails for good.
   * `onStatus` sees every intermediate status.
   */
  async waitForCommand(
    commandId: string,
    options: { timeoutMs?: number; onStatus?: (view: CommandView) => void } = {},
  ): Promise<CommandOutcome> {
    const response = await this.fetch(new URL(`/api/v1/commands/${commandId}/events`, this.baseUrl), {
      headers: { accept: 'text/event-stream', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
    if (!response.ok || !response.body) throw new Error(`events of ${commandId} → ${response.status}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let boundary = buffer.indexOf('\n\n');
      while (boundary >= 0) {
        const frame = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        boundary = buffer.indexOf('\n\n');
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        const data = /^data: (.*)$/m.exec(frame)?.[1];
        if (!event || data === undefined) continue;
        const view = JSON.parse(data) as CommandView;
        if (event === 'projected' || event === 'failed') return { outcome: event, command: view };
        options.onStatus?.(view);
      }
    }
    throw new Error(`event stream of ${commandId} ended without an outcome`);
  }
}

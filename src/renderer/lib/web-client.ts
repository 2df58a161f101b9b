// The browser door's client: JSON calls over HTTP and one server-sent event stream. The token
// comes in the address the studio printed; the page keeps it for this tab only (sessionStorage,
// which belongs to this scheme, host and port) and drops it from the address bar. It travels in an
// Authorization header, never in a cookie (cookies reach every port of the host). Media addresses
// carry a media key instead, which opens images and nothing else.
import type { EventPayloads, EventTopic, MethodInput, MethodName, MethodOutput } from '../../shared/api';
import { ApiError, answerResult, type DoorAnswer } from '../../shared/errors';
import type { MediaKind, StudioClient } from '../../shared/client';
import type { DownloadTicket } from '../../shared/jobs';
import { saveFile } from './download';

type Listener = (payload: unknown) => void;

const TOKEN_KEY = 'nanovlm-studio-token';
const MISSING_TOKEN = 'The access token is missing or wrong: open the address the studio printed.';

/** The tab's token: from the address (then removed from it) or kept from earlier in this tab. */
function takeToken(): string {
  const url = new URL(window.location.href);
  const fromAddress = url.searchParams.get('token');
  let kept: string | null = null;
  try {
    if (fromAddress) sessionStorage.setItem(TOKEN_KEY, fromAddress);
    kept = sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // storage refused (privacy settings): the token lives in this page only
  }
  if (fromAddress) {
    url.searchParams.delete('token');
    window.history.replaceState(window.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  }
  return fromAddress ?? kept ?? '';
}

export class WebStudioClient implements StudioClient {
  readonly door = 'web' as const;
  private source: EventSource | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly token = takeToken();
  private mediaKey = '';

  /** Fetches the media key; call before the first mediaUrl(). */
  async ready(): Promise<void> {
    try {
      const response = await fetch('api/session', { headers: this.authorization() });
      const body = (await response.json()) as { ok: boolean; result?: { mediaKey: string } };
      this.mediaKey = body.result?.mediaKey ?? '';
    } catch {
      // no session: the calls will say why
    }
  }

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    let response: Response;
    try {
      response = await fetch('api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...this.authorization() },
        body: JSON.stringify({ method, input }),
      });
    } catch (err) {
      throw new ApiError('internal', `${method}: the studio did not answer (${(err as Error).message})`);
    }
    if (response.status === 401) throw new ApiError('invalid_input', MISSING_TOKEN);
    const answer = (await response.json().catch(() => undefined)) as DoorAnswer<MethodOutput<M>> | undefined;
    if (!answer) throw new ApiError('internal', `${method}: unexpected answer (HTTP ${response.status})`);
    return answerResult(answer);
  }

  subscribe<T extends EventTopic>(topic: T, handler: (payload: EventPayloads[T]) => void): () => void {
    const source = this.eventSource();
    let set = this.listeners.get(topic);
    if (!set) {
      set = new Set();
      this.listeners.set(topic, set);
      source.addEventListener(topic, (e) => {
        const payload = JSON.parse((e as MessageEvent<string>).data) as unknown;
        for (const l of this.listeners.get(topic) ?? []) l(payload);
      });
    }
    set.add(handler as Listener);
    return () => set.delete(handler as Listener);
  }

  mediaUrl(kind: MediaKind, id: string): string {
    return `media/${kind}/${id}?k=${encodeURIComponent(this.mediaKey)}`;
  }

  /** Fetched with the token (a link could not carry it), then saved as the browser's download. */
  async download(ticket: DownloadTicket): Promise<void> {
    const response = await fetch(`api/download/${ticket.id}`, { headers: this.authorization() });
    if (response.status === 401) throw new ApiError('invalid_input', MISSING_TOKEN);
    if (!response.ok) throw new ApiError('not_found', `${ticket.fileName}: ${(await response.text()).slice(0, 200)}`);
    saveFile(ticket.fileName, response.headers.get('content-type') ?? 'application/octet-stream', await response.blob());
  }

  private authorization(): Record<string, string> {
    return this.token ? { Authorization: `Bearer ${this.token}` } : {};
  }

  private eventSource(): EventSource {
    // EventSource cannot send headers: the token rides in the query of this one request.
    this.source ??= new EventSource(`api/events?token=${encodeURIComponent(this.token)}`);
    return this.source;
  }
}

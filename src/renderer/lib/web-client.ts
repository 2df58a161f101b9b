// The browser door's client: JSON calls over HTTP and one server-sent event stream. The token
// travels in the same-site cookie set when the page was first opened.
import { ApiError, type ApiErrorBody, type EventPayloads, type EventTopic, type MethodInput, type MethodName, type MethodOutput } from '../../shared/api';
import type { MediaKind, StudioClient } from '../../shared/client';

type Listener = (payload: unknown) => void;

export class WebStudioClient implements StudioClient {
  readonly door = 'web' as const;
  private source: EventSource | undefined;
  private readonly listeners = new Map<string, Set<Listener>>();

  async call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
    let response: Response;
    try {
      response = await fetch('api/call', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ method, input }),
        credentials: 'same-origin',
      });
    } catch (err) {
      throw new ApiError('internal', `${method}: the studio did not answer (${(err as Error).message})`);
    }
    if (response.status === 401) throw new ApiError('invalid_input', 'The access token is missing or wrong: open the address the studio printed.');
    const body = (await response.json().catch(() => undefined)) as { ok: boolean; result?: unknown; error?: ApiErrorBody } | undefined;
    if (!body) throw new ApiError('internal', `${method}: unexpected answer (HTTP ${response.status})`);
    if (!body.ok) throw new ApiError(body.error?.code ?? 'internal', body.error?.message ?? 'unknown error', body.error?.field);
    return body.result as MethodOutput<M>;
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
    return `media/${kind}/${id}`;
  }

  private eventSource(): EventSource {
    this.source ??= new EventSource('api/events', { withCredentials: true });
    return this.source;
  }
}

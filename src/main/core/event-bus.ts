// Typed publish/subscribe for the core's event streams; both doors forward what is published here.
import type { EventPayloads, EventTopic } from '../../shared/api';

type Handler<T extends EventTopic> = (payload: EventPayloads[T]) => void;
export type AnyEventHandler = <T extends EventTopic>(topic: T, payload: EventPayloads[T]) => void;

export class EventBus {
  private readonly listeners = new Set<AnyEventHandler>();

  publish<T extends EventTopic>(topic: T, payload: EventPayloads[T]): void {
    for (const listener of this.listeners) {
      try {
        listener(topic, payload);
      } catch (err) {
        console.error(`event listener failed on ${topic}:`, err);
      }
    }
  }

  /** Every event, whatever its topic: what a door forwards. */
  onAny(listener: AnyEventHandler): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  on<T extends EventTopic>(topic: T, handler: Handler<T>): () => void {
    return this.onAny((t, payload) => {
      if ((t as EventTopic) === topic) (handler as Handler<EventTopic>)(payload);
    });
  }
}

/**
 * The parts of Slack's shapes this connector reads: messages (`conversations.history` / `replies`),
 * reactions, users, and the Events API / interactivity envelopes. Raw tool types stay here;
 * `normalize.ts` maps them to the canonical model.
 */

export interface SlackReaction {
  readonly name: string;
  readonly users: readonly string[];
  readonly count?: number;
}

export interface SlackMessage {
  readonly type?: string;
  readonly subtype?: string;
  readonly ts: string;
  readonly user?: string;
  readonly bot_id?: string;
  readonly text?: string;
  readonly thread_ts?: string;
  readonly reply_count?: number;
  readonly latest_reply?: string;
  readonly edited?: { readonly user?: string; readonly ts: string };
  readonly reactions?: readonly SlackReaction[];
  readonly metadata?: { readonly event_type: string; readonly event_payload?: Readonly<Record<string, unknown>> };
}

export interface SlackUser {
  readonly id: string;
  readonly name?: string;
  readonly real_name?: string;
  readonly deleted?: boolean;
  readonly is_bot?: boolean;
  readonly is_app_user?: boolean;
  readonly tz?: string;
  readonly profile?: { readonly email?: string; readonly real_name?: string; readonly display_name?: string };
}

export interface SlackEventEnvelope {
  readonly type: 'event_callback' | 'url_verification' | 'app_rate_limited';
  readonly event_id?: string;
  readonly event_time?: number;
  readonly team_id?: string;
  readonly challenge?: string;
  readonly event?: SlackEvent;
}

export type SlackEvent =
  | { readonly type: 'reaction_added' | 'reaction_removed'; readonly user: string; readonly reaction: string; readonly item: { readonly type: string; readonly channel: string; readonly ts: string }; readonly item_user?: string; readonly event_ts: string }
  | { readonly type: 'message'; readonly subtype?: string; readonly channel: string; readonly user?: string; readonly bot_id?: string; readonly ts: string; readonly thread_ts?: string; readonly text?: string; readonly message?: SlackMessage; readonly previous_message?: SlackMessage; readonly deleted_ts?: string; readonly event_ts?: string };

export interface SlackInteraction {
  readonly type: 'message_action' | 'block_actions' | 'shortcut' | 'view_submission';
  readonly callback_id?: string;
  readonly trigger_id?: string;
  readonly action_ts?: string;
  readonly user: { readonly id: string };
  readonly channel?: { readonly id: string };
  readonly message?: SlackMessage;
  readonly message_ts?: string;
  readonly actions?: readonly { readonly action_id: string; readonly value?: string; readonly action_ts?: string }[];
}

/**
 * The parts of Notion's shapes (API version 2025-09-03) this connector reads: pages in a data source and
 * their property values, users, comments, webhook events. Raw tool types stay here; `normalize.ts` maps
 * them to the canonical model.
 */

export interface NotionUser {
  readonly object: 'user';
  readonly id: string;
  readonly type?: 'person' | 'bot';
  readonly name?: string | null;
  readonly person?: { readonly email?: string };
}

export interface RichText {
  readonly plain_text: string;
  readonly href?: string | null;
  readonly type?: string;
}

export type PropertyValue =
  | { readonly id: string; readonly type: 'title'; readonly title: readonly RichText[] }
  | { readonly id: string; readonly type: 'rich_text'; readonly rich_text: readonly RichText[] }
  | { readonly id: string; readonly type: 'people'; readonly people: readonly NotionUser[] }
  | { readonly id: string; readonly type: 'date'; readonly date: { readonly start: string; readonly end: string | null; readonly time_zone: string | null } | null }
  | { readonly id: string; readonly type: 'status'; readonly status: { readonly name: string } | null }
  | { readonly id: string; readonly type: 'select'; readonly select: { readonly name: string } | null }
  | { readonly id: string; readonly type: 'multi_select'; readonly multi_select: readonly { readonly name: string }[] }
  | { readonly id: string; readonly type: 'relation'; readonly relation: readonly { readonly id: string }[]; readonly has_more?: boolean }
  | { readonly id: string; readonly type: 'number'; readonly number: number | null }
  | { readonly id: string; readonly type: 'checkbox'; readonly checkbox: boolean }
  | { readonly id: string; readonly type: 'url'; readonly url: string | null }
  | {
      readonly id: string;
      readonly type: 'formula' | 'rollup' | 'created_time' | 'last_edited_time' | 'created_by' | 'last_edited_by' | 'unique_id' | 'email' | 'phone_number' | 'files' | 'button' | 'verification' | 'place';
      readonly [k: string]: unknown;
    };

export interface NotionPage {
  readonly object: 'page';
  readonly id: string;
  readonly url: string;
  readonly created_time: string;
  readonly last_edited_time: string;
  readonly created_by: { readonly id: string; readonly object?: string };
  readonly last_edited_by: { readonly id: string; readonly object?: string };
  readonly in_trash?: boolean;
  readonly archived?: boolean;
  readonly parent: { readonly type: string; readonly data_source_id?: string; readonly database_id?: string };
  readonly properties: Readonly<Record<string, PropertyValue>>;
}

export interface NotionComment {
  readonly object: 'comment';
  readonly id: string;
  readonly discussion_id?: string;
  readonly created_time: string;
  readonly last_edited_time: string;
  readonly created_by: { readonly id: string };
  readonly rich_text: readonly RichText[];
  readonly parent: { readonly type: string; readonly page_id?: string };
}

export interface NotionWebhookEvent {
  readonly id: string;
  readonly timestamp: string;
  readonly type: string;
  readonly entity: { readonly id: string; readonly type: string };
  readonly authors?: readonly { readonly id: string; readonly type: 'person' | 'bot' | 'agent' }[];
  readonly attempt_number?: number;
  readonly data?: { readonly parent?: { readonly id: string; readonly type: string; readonly data_source_id?: string }; readonly page_id?: string; readonly updated_properties?: readonly string[] };
}

/** Every variable config/taskwire.example.yaml references, with dummy values. */
export const EXAMPLE_ENV = {
  TASKWIRE_API_TOKEN: 'api-token-0123456789abcdef',
  TASKWIRE_UI_PASSWORD: 'ui-password-0123456789',
  GITHUB_TOKEN: 'ghp_exampletoken',
  GITHUB_WEBHOOK_SECRET: 'gh-webhook-secret',
  JIRA_EMAIL: 'bot@example.com',
  JIRA_API_TOKEN: 'jira-api-token',
  JIRA_WEBHOOK_SECRET: 'jira-webhook-secret',
  SLACK_BOT_TOKEN: 'xoxb-example',
  SLACK_SIGNING_SECRET: 'slack-signing-secret',
  SLACK_APP_TOKEN: 'xapp-example',
  NOTION_TOKEN: 'ntn_example',
  NOTION_WEBHOOK_SECRET: 'notion-verification-token',
  SUPPORT_MAIL_PASSWORD: 'mailbox-app-password',
};

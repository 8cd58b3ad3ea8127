import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  listDeliveries,
  NotificationSettingsError,
  notificationPrefs,
  saveNotificationPrefsOf,
  saveWebhook,
  webhookView,
} from "../../alerts/notification-settings.js";
import type { Clock } from "../../clock.js";
import {
  DeliveriesQuery,
  DeliveryList,
  NotificationPrefs,
  NotificationPrefsBody,
  WebhookBody,
  WebhookSettings,
} from "../../contracts/alerts.js";
import type { Database } from "../../db/database.js";
import { type Access, currentUser } from "../access.js";
import { AppError } from "../errors.js";

const SECURITY = [{ session: [] }];

function mapError(error: unknown): never {
  if (error instanceof NotificationSettingsError) throw AppError.onField(error.field, error.code);
  throw error;
}

/** The signed-in user (the preHandler admitted a session). */
function userOf(request: Parameters<typeof currentUser>[0]) {
  const user = currentUser(request);
  if (!user) throw new AppError("session_required", 401);
  return user;
}

export const alertNotificationRoutes: FastifyPluginAsyncTypebox<{
  db: Database;
  clock: Clock;
  access: Access;
}> = async (app, { db, clock, access }) => {
  app.get(
    "/api/alerts/notifications/me",
    {
      schema: {
        summary: "Mes préférences de notification (tout utilisateur connecté)",
        description:
          "Sans enregistrement préalable : e-mails activés, toutes gravités, tous les sites (device_ids null), " +
          "pas de résumé quotidien.",
        security: SECURITY,
        response: { 200: NotificationPrefs },
      },
      preHandler: access.requireSession(),
    },
    async (request) => notificationPrefs(db, userOf(request)),
  );

  app.put(
    "/api/alerts/notifications/me",
    {
      schema: {
        summary: "Enregistrer mes préférences de notification (sites, gravités, e-mail, résumé quotidien)",
        description: "400 `unknown_device` (champ device_ids) pour un appareil inconnu.",
        security: SECURITY,
        body: NotificationPrefsBody,
        response: { 200: NotificationPrefs },
      },
      preHandler: access.requireSession(),
    },
    async (request) =>
      saveNotificationPrefsOf(db, userOf(request), request.body, clock.now()).catch(mapError),
  );

  app.get(
    "/api/alerts/webhook",
    {
      schema: {
        summary: "Webhook des alertes (administrateur) ; le secret n'est jamais renvoyé",
        security: SECURITY,
        response: { 200: WebhookSettings },
      },
      preHandler: access.requireSession("admin"),
    },
    async () => webhookView(db),
  );

  app.put(
    "/api/alerts/webhook",
    {
      schema: {
        summary: "Régler le webhook des alertes (administrateur)",
        description:
          "POST JSON signé : en-tête X-Pumpwatch-Signature: sha256=<HMAC-SHA256 hexadécimal du corps avec le " +
          "secret>, X-Pumpwatch-Delivery: identifiant de l'envoi (le même à chaque tentative). `secret` absent : " +
          "inchangé. 400 `invalid_webhook_url` (http ou https attendu), `webhook_incomplete` (activation sans " +
          "adresse ou sans secret).",
        security: SECURITY,
        body: WebhookBody,
        response: { 200: WebhookSettings },
      },
      preHandler: access.requireSession("admin"),
    },
    async (request) =>
      saveWebhook(db, request.body, clock.now(), currentUser(request)?.email ?? "").catch(mapError),
  );

  app.get(
    "/api/alerts/deliveries",
    {
      schema: {
        summary:
          "Envois des notifications (e-mails, webhook, résumés), les plus récents d'abord (administrateur)",
        description:
          "`failed` : abandonné après les tentatives (ou refus définitif), avec la raison dans `last_error`.",
        security: SECURITY,
        querystring: DeliveriesQuery,
        response: { 200: DeliveryList },
      },
      preHandler: access.requireSession("admin"),
    },
    async (request) => listDeliveries(db, request.query.state ?? "all", request.query.limit ?? 100),
  );
};

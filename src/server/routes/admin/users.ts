import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import {
  type AdminUser,
  changeRole,
  changeSites,
  createAccount,
  disableAccount,
  enableAccount,
  listAccounts,
  resetPassword,
} from "../../../admin/user-admin.js";
import {
  NewUserBody,
  PasswordBody,
  UserItem,
  UserParams,
  UserRoleBody,
  UserSitesBody,
  UsersResponse,
  UserWithPasswordResponse,
} from "../../../contracts/admin.js";
import {
  ADMIN_NOTE,
  type AdminRoutesOptions,
  actorOf,
  inClientTerms,
  iso,
  refuseUnknownFields,
  sessionUserOf,
} from "./shared.js";

const userItem = (u: AdminUser) => ({
  id: u.id,
  email: u.email,
  role: u.role,
  site_ids: u.siteIds,
  active: u.disabledAt === null,
  disabled_at: u.disabledAt === null ? null : iso(u.disabledAt),
  created_at: iso(u.createdAt),
  created_by: u.createdBy,
  last_login_at: u.lastLoginAt === null ? null : iso(u.lastLoginAt),
});

/** Accounts: list, creation, role, disabling and passwords. */
export const userRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, options) => {
  const { db, clock, access } = options;
  const admin = access.requireSession("admin");

  app.get(
    "/api/admin/users",
    {
      onRequest: admin,
      schema: {
        summary: "Comptes : actifs d'abord, par e-mail",
        description: ADMIN_NOTE,
        response: { 200: UsersResponse },
      },
    },
    async () => ({ users: (await listAccounts(db)).map(userItem) }),
  );

  app.post(
    "/api/admin/users",
    {
      onRequest: admin,
      schema: {
        summary: "Crée un compte ; sans mot de passe fourni, un mot de passe généré est montré une fois",
        description: `${ADMIN_NOTE} 409 pour une adresse déjà prise, 422 avec \`field\` pour une valeur invalide.`,
        body: NewUserBody,
        response: { 201: UserWithPasswordResponse },
      },
    },
    async (request, reply) => {
      refuseUnknownFields(request.body, NewUserBody);
      const created = await inClientTerms(() =>
        createAccount(db, request.body, actorOf(request), clock.now()),
      );
      return reply.code(201).send({ user: userItem(created.user), password: created.generatedPassword });
    },
  );

  app.put(
    "/api/admin/users/:id/role",
    {
      onRequest: admin,
      schema: {
        summary: "Change le rôle d'un compte",
        description: `${ADMIN_NOTE} 409 last_admin pour rétrograder le dernier administrateur actif ; 404 compte inconnu.`,
        params: UserParams,
        body: UserRoleBody,
        response: { 200: UserItem },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, UserRoleBody);
      return userItem(
        await inClientTerms(() =>
          changeRole(db, request.params.id, request.body.role, actorOf(request), clock.now()),
        ),
      );
    },
  );

  app.put(
    "/api/admin/users/:id/sites",
    {
      onRequest: admin,
      schema: {
        summary: "Les sites que voit un compte (null : tous) ; un administrateur les voit tous",
        description: `${ADMIN_NOTE} 400 restricted_admin pour un administrateur ; 404 compte ou site inconnu.`,
        params: UserParams,
        body: UserSitesBody,
        response: { 200: UserItem },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body, UserSitesBody);
      return userItem(
        await inClientTerms(() =>
          changeSites(db, request.params.id, request.body.site_ids, actorOf(request), clock.now()),
        ),
      );
    },
  );

  app.post(
    "/api/admin/users/:id/disable",
    {
      onRequest: admin,
      schema: {
        summary: "Désactive un compte et ferme aussitôt ses sessions",
        description: `${ADMIN_NOTE} 409 last_admin pour le dernier administrateur actif ; 404 compte inconnu.`,
        params: UserParams,
        response: { 200: UserItem },
      },
    },
    async (request) =>
      userItem(
        await inClientTerms(() => disableAccount(db, request.params.id, actorOf(request), clock.now())),
      ),
  );

  app.post(
    "/api/admin/users/:id/enable",
    {
      onRequest: admin,
      schema: {
        summary: "Réactive un compte",
        description: `${ADMIN_NOTE} 404 compte inconnu.`,
        params: UserParams,
        response: { 200: UserItem },
      },
    },
    async (request) =>
      userItem(
        await inClientTerms(() => enableAccount(db, request.params.id, actorOf(request), clock.now())),
      ),
  );

  app.post(
    "/api/admin/users/:id/password",
    {
      onRequest: admin,
      schema: {
        summary: "Nouveau mot de passe (fourni, ou généré et montré une fois) ; ferme les sessions du compte",
        description:
          `${ADMIN_NOTE} Les sessions du compte sont fermées, sauf quand un administrateur change le sien. ` +
          "422 avec `field` pour un mot de passe trop court ; 404 compte inconnu.",
        params: UserParams,
        body: PasswordBody,
        response: { 200: UserWithPasswordResponse },
      },
    },
    async (request) => {
      refuseUnknownFields(request.body ?? {}, PasswordBody);
      const user = sessionUserOf(request);
      const result = await inClientTerms(() =>
        resetPassword(db, request.params.id, request.body?.password, user, clock.now()),
      );
      return { user: userItem(result.user), password: result.generatedPassword };
    },
  );
};

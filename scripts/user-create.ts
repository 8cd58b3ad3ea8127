// npm run user:create -- --email E --role admin|viewer [--password-stdin]
// Creates an account. The password is asked twice without echo, or read from stdin (--password-stdin, or
// whenever stdin is not a terminal): never from the command line, where `ps` and the shell history see it.
import { parseArgs } from "node:util";
import { createUser, ROLES, type Role, UserError } from "../src/admin/users.js";
import { systemClock } from "../src/clock.js";
import { parseConfig } from "../src/config.js";
import { openAndMigrate } from "../src/db/open.js";

const USAGE = "usage: npm run user:create -- --email E --role admin|viewer [--password-stdin]";

const { values } = parseArgs({
  options: {
    email: { type: "string" },
    role: { type: "string" },
    "password-stdin": { type: "boolean", default: false },
  },
});
const email = values.email?.trim();
const role = values.role as Role | undefined;
if (!email || !role || !ROLES.includes(role)) {
  console.error(USAGE);
  process.exit(2);
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline belongs to `echo` or the file, not to the password.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Reads one line from the terminal without echoing it. */
function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    stdin.setRawMode(true); // before the prompt: what is typed after it must not echo
    process.stderr.write(prompt);
    stdin.resume();
    stdin.setEncoding("utf8");
    let typed = "";
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (text: string) => {
      for (const char of text) {
        if (char === "\r" || char === "\n") return done();
        if (char === "\u0003" || char === "\u0004") return done(new Error("abandon"));
        if (char === "\u007f" || char === "\b") typed = typed.slice(0, -1);
        else if (char >= " ") typed += char;
      }
    };
    stdin.on("data", onData);
  });
}

async function readPassword(): Promise<string> {
  if (values["password-stdin"] || !process.stdin.isTTY) return readAll();
  const first = await askHidden("Mot de passe : ");
  const second = await askHidden("Confirmez le mot de passe : ");
  if (first !== second) throw new Error("les deux saisies diffèrent");
  return first;
}

try {
  const password = await readPassword();
  const config = parseConfig(process.env);
  const { db } = await openAndMigrate({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    const user = await createUser(db, { email, password, role, createdBy: "cli" }, systemClock.now());
    console.log(`Compte « ${user.email} » créé (rôle ${user.role}, id ${user.id}).`);
  } finally {
    await db.close();
  }
} catch (error) {
  const text = error instanceof UserError || error instanceof Error ? error.message : String(error);
  console.error(`Échec : ${text}`);
  process.exit(1);
}

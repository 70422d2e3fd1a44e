// Starts telegram-test-api for klachtbot's tests and bridges where it differs from the
// Bot API (see lab.py): long polling that honours offset, timeout and limit; is_bot,
// seconds-not-milliseconds dates, `from` on the bot's messages, chat_instance on button
// presses, `true` instead of `null`. Prints "READY <port>" once it listens.
'use strict';
const TelegramServer = require('telegram-test-api');

const port = Number(process.argv[2]);
const server = new TelegramServer({ host: '127.0.0.1', port, storeTimeout: 3600 });
server.setMaxListeners(0); // one per waiting long poll
const BOT = { id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot' };
// The stock server marks updates read when fetched; the real API keeps them until a later
// getUpdates names a higher offset. Fetched updates wait here until confirmed.
const unconfirmed = new Map(); // token -> [update]

process.on('unhandledRejection', (error) => console.error('unhandledRejection', error));

function toSeconds(value) {
  return typeof value === 'number' && value > 1e11 ? Math.floor(value / 1000) : value;
}

function bridgeResult(method, result) {
  if (result === null || result === undefined) return true;
  if (method === 'getMe') return { ...result, ...BOT };
  if (method === 'sendMessage' || method === 'editMessageText') {
    return { ...result, date: toSeconds(result.date), from: BOT };
  }
  return result;
}

function bridgeUpdate(update) {
  if (update.callback_query) {
    const query = update.callback_query;
    const message = query.message ? { ...query.message, date: toSeconds(query.message.date) } : undefined;
    return { ...update, callback_query: { chat_instance: String(query.from.id), ...query, message } };
  }
  if (update.message) {
    return { ...update, message: { ...update.message, date: toSeconds(update.message.date) } };
  }
  return update;
}

function pending(token, offset) {
  const kept = (unconfirmed.get(token) || []).filter((u) => u.update_id >= offset);
  const fresh = server.getUpdates(token).map(bridgeUpdate);
  const all = [...kept, ...fresh];
  unconfirmed.set(token, all);
  return all;
}

async function longPoll(req, res) {
  const token = req.params.token;
  const body = { ...req.query, ...req.body };
  const offset = Number(body.offset || 0);
  const limit = Number(body.limit || 100);
  const deadline = Date.now() + Number(body.timeout || 0) * 1000;
  let updates = pending(token, offset);
  while (updates.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => {
      const timer = setTimeout(done, deadline - Date.now());
      function done() {
        clearTimeout(timer);
        server.off('AddedUserMessage', done);
        server.off('AddedUserCommand', done);
        server.off('AddedUserCallbackQuery', done);
        resolve();
      }
      server.on('AddedUserMessage', done);
      server.on('AddedUserCommand', done);
      server.on('AddedUserCallbackQuery', done);
      res.on('close', done);
    });
    if (res.writableEnded || res.destroyed) return;
    updates = pending(token, offset);
  }
  res.json({ ok: true, result: updates.slice(0, limit) });
}

// Without reply_markup the real API removes a message's buttons; the stock server ignores it.
function removeButtons(req, res, next) {
  const body = { ...req.query, ...req.body };
  let markup = body.reply_markup;
  if (typeof markup === 'string') markup = JSON.parse(markup || '{}');
  if (markup && markup.inline_keyboard && markup.inline_keyboard.length) return next();
  const kept = server.storage.botMessages.find((u) => String(u.messageId) === String(body.message_id)
    && String(u.message.chat_id) === String(body.chat_id));
  if (!kept) return res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
  const { reply_markup: _removed, ...rest } = kept.message;
  kept.message = rest;
  return res.json({ ok: true, result: true });
}

// For many simulated customers at once (bench/telegram_throughput.py): the bot's messages to
// every chat from index `since` on, waiting up to `timeout` seconds for the first new one.
async function botMessagesSince(req, res) {
  const { token } = req.body;
  const since = Number(req.body.since || 0);
  const deadline = Date.now() + Number(req.body.timeout || 0) * 1000;
  const mine = () => server.storage.botMessages.filter((u) => u.botToken === token);
  while (mine().length <= since && Date.now() < deadline) {
    await new Promise((resolve) => {
      const timer = setTimeout(done, deadline - Date.now());
      function done() {
        clearTimeout(timer);
        server.off('AddedBotMessage', done);
        resolve();
      }
      server.on('AddedBotMessage', done);
    });
  }
  const all = mine();
  res.json({ ok: true, result: { next: all.length, messages: all.slice(since) } });
}

const app = server.webServer;
// Between benchmark rounds: the stock server scans every stored message on each call, so a
// round run after others would pay for their history. Empties the store; the JIT stays warm.
app.post('/reset', (req, res) => {
  server.storage.userMessages = [];
  server.storage.botMessages = [];
  unconfirmed.clear();
  res.json({ ok: true, result: true });
});
app.post('/botMessagesSince', (req, res) => {
  botMessagesSince(req, res).catch((error) => res.status(500).json({ ok: false, description: String(error) }));
});
// Tokens a test revoked: every Bot API call answers 401 Unauthorized, as Telegram does
// for a wrong or revoked token. POST /revoke {token, revoked: false} takes it back.
const revoked = new Set();
app.post('/revoke', (req, res) => {
  if (req.body.revoked === false) revoked.delete(req.body.token);
  else revoked.add(req.body.token);
  res.json({ ok: true, result: true });
});
app.use('/bot:token/:method', (req, res, next) => {
  if (!revoked.has(req.params.token)) return next();
  return res.status(401).json({ ok: false, error_code: 401, description: 'Unauthorized' });
});
app.all('/bot:token/getUpdates', (req, res) => {
  longPoll(req, res).catch((error) => res.status(500).json({ ok: false, description: String(error) }));
});
app.all('/bot:token/editMessageReplyMarkup', removeButtons);
app.use('/bot:token/:method', (req, res, next) => {
  const method = req.params.method; // later layers replace req.params
  const json = res.json.bind(res);
  res.json = (data) => {
    if (data && data.ok === true) data = { ...data, result: bridgeResult(method, data.result) };
    if (data && data.ok === false && res.statusCode === 200) res.status(400);
    return json(data);
  };
  next();
});
// These must run before the stock routes: move the layers just added to the front,
// behind the body parsers.
const stack = app._router.stack;
const added = stack.splice(stack.length - 7, 7);
const firstRoute = stack.findIndex((layer) => layer.route);
stack.splice(firstRoute, 0, ...added);

server.start().then(() => console.log(`READY ${port}`));

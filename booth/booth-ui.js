// The booth page (votes.md §7.1): load and check, identify, mark, review, encrypt,
// optional audit, cast, receipt, wipe.  Everything secret stays in this page.
import * as accountKey from './account-key.js';
import * as booth from './kiemdiem-booth.js';

const root = document.getElementById('booth');
const $ = (id) => document.getElementById(id);
const LEVEL_NAMES = ['Tín nhiệm cao', 'Tín nhiệm', 'Tín nhiệm thấp'];
const state = { election: null, slip: null, choices: [], opening: null, digest: null, keyRecord: null };

function show(id) {
  for (const step of ['step-code', 'step-unlock', 'step-mark', 'step-review', 'step-cast', 'step-done']) {
    if (!$(step)) continue;
    $(step).hidden = step !== id;
  }
}

function status(text, error = false) {
  $('booth-status').textContent = text;
  $('booth-status').className = error ? 'errors' : 'muted';
}

function wipe() {
  // §7.1 step 8: drop the credential secret, the randomness and the choices.
  if (state.slip) state.slip.seed.fill(0);
  state.slip = null;
  state.opening = null;
  state.choices = [];
  document.querySelectorAll('#leaders input[type=radio]').forEach((r) => { r.checked = false; });
  if (scanner.stream) stopScan();
  if ($('slip-code')) $('slip-code').value = '';
  if ($('account-password')) $('account-password').value = '';
  document.querySelectorAll('.copy-status').forEach((line) => { line.textContent = ''; });
}

async function load() {
  const response = await fetch(root.dataset.election, { credentials: 'same-origin' });
  if (!response.ok) throw new booth.BoothError('load', `HTTP ${response.status}`);
  const data = await response.json();
  if (!data.key) throw new booth.BoothError('load', 'chưa có khóa bỏ phiếu');
  state.election = booth.loadElection(data);
  state.phase = data.phase;
  $('short-fingerprint').textContent = state.election.shortFingerprint;
  const pinned = data.manifest.booth_sha256;
  const served = root.dataset.served;
  $('booth-hash-check').textContent = served && served === pinned
    ? '✓ khớp với mã ghi trong danh mục cuộc bỏ phiếu'
    : '✗ khác với mã ghi trong danh mục cuộc bỏ phiếu: đừng bỏ phiếu, hãy báo Ban kiểm phiếu';
  if (!(served && served === pinned)) {
    const pinnedLine = document.createElement('p');
    pinnedLine.append('Mã ghi trong danh mục: ');
    const code = document.createElement('code');
    code.textContent = pinned;
    pinnedLine.append(code);
    $('booth-hash').closest('details').append(pinnedLine);
  }
  buildLeaders(data.manifest.leaders);
  if (data.phase !== 'open') {
    status('Cuộc bỏ phiếu chưa mở hoặc đã kết thúc.', true);
    return;
  }
  if (data.manifest.mode === 'B') {
    await loadAccountKey();
    return;
  }
  status('Đã kiểm tra khóa và danh mục cuộc bỏ phiếu trên máy của bạn.');
  show('step-code');
}

// Mode B (§6.2, §7.1 step 2): login and eligibility are checked at the start; the
// member's own wrapped key is fetched and opened here with the password.
async function loadAccountKey() {
  const response = await fetch(root.dataset.key, { credentials: 'same-origin' });
  const answer = await response.json();
  if (!response.ok) {
    status(answer.message || `HTTP ${response.status}`, true);
    return;
  }
  if (!state.election.credentials.has(answer.account_pub)) {
    status('Khóa của bạn không có trong danh sách đảng viên được bỏ phiếu.', true);
    return;
  }
  const used = await slipStatus(answer.account_pub);
  if (used !== 'usable') {
    status(used === 'used'
      ? 'Bạn đã bỏ phiếu trong cuộc bỏ phiếu này; mỗi người chỉ bỏ một lần. Nếu bạn chưa tự bỏ phiếu, hãy báo ngay cho Ban kiểm phiếu.'
      : SLIP_REFUSALS[used] || used, true);
    return;
  }
  state.keyRecord = answer;
  status('Đã kiểm tra khóa, danh mục cuộc bỏ phiếu và tên bạn trong danh sách được bỏ phiếu.');
  show('step-unlock');
}

async function unlock() {
  $('unlock-error').textContent = '';
  $('unlock').disabled = true;
  $('unlock-progress').textContent = 'Đang mở khóa trên máy của bạn…';
  try {
    const opened = await accountKey.openAccountKey(state.keyRecord, $('account-password').value, {
      onProgress: (f) => { $('unlock-progress').textContent = `Đang mở khóa trên máy của bạn… ${Math.round(f * 100)}%`; },
    });
    $('account-password').value = '';
    state.slip = { seed: opened.seed, credentialPub: opened.publicKey };
    $('unlock-progress').textContent = '';
    show('step-mark');
  } catch (exc) {
    $('unlock-progress').textContent = '';
    $('unlock-error').textContent = exc instanceof accountKey.KeyUnwrapError
      ? exc.message
      : `Không mở được khóa: ${exc.message}`;
  } finally {
    $('unlock').disabled = false;
  }
}

// One card per leader (§7.1 step 3): name and post, three large choices, a clear button.
function buildLeaders(leaders) {
  const box = $('leaders');
  box.replaceChildren();
  for (const leader of leaders) {
    const card = document.createElement('fieldset');
    card.className = 'leader-card';
    const legend = document.createElement('legend');
    legend.textContent = `${leader.index + 1}. ${leader.name}`;
    const post = document.createElement('p');
    post.className = 'leader-post';
    post.textContent = leader.post;
    const choices = document.createElement('div');
    choices.className = 'choices';
    LEVEL_NAMES.forEach((label, level) => {
      const choice = document.createElement('label');
      choice.className = 'choice';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = `leader-${leader.index}`;
      input.value = String(level);
      input.setAttribute('aria-label', `${leader.name}: ${label}`);
      const text = document.createElement('span');
      text.textContent = label;
      choice.append(input, text);
      choices.append(choice);
    });
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = 'Bỏ chọn';
    button.setAttribute('aria-label', `Bỏ chọn: ${leader.name}`);
    button.addEventListener('click', () => {
      card.querySelectorAll('input').forEach((r) => { r.checked = false; });
    });
    card.append(legend, post, choices, button);
    box.append(card);
  }
}

function readChoices() {
  return state.election.manifest.leaders.map((leader) => {
    const picked = document.querySelector(`input[name="leader-${leader.index}"]:checked`);
    return picked ? Number(picked.value) : null;
  });
}

const SLIP_REFUSALS = {
  used: 'Phiếu này đã được dùng để bỏ phiếu; mỗi phiếu chỉ bỏ được một lần. Nếu bạn chưa bỏ phiếu, hãy báo ngay cho Ban kiểm phiếu.',
  voided: 'Phiếu này đã bị hủy (không được phát ra), không dùng để bỏ phiếu được. Hãy báo Ban kiểm phiếu.',
  unknown: 'Mã phiếu không có trong danh sách phiếu đã phát.',
};

// Asks the server whether the slip's credential may still cast (usable / used /
// voided / unknown).  Only the public key is sent: the code stays on this device.
async function slipStatus(credentialHex) {
  const response = await fetch(root.dataset.slip, {
    method: 'POST',
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': root.dataset.csrf },
    body: JSON.stringify({ credential: credentialHex }),
  });
  const answer = await response.json();
  if (!response.ok) throw new booth.BoothError('slip', answer.message || `HTTP ${response.status}`);
  return answer.status;
}

async function identify() {
  $('slip-error').textContent = '';
  let slip = null;
  try {
    slip = booth.parseSlipInput(state.election.electionId, $('slip-code').value);
    const pub = booth.toHex(slip.credentialPub);
    if (!state.election.credentials.has(pub)) {
      throw new booth.BoothError('credential', SLIP_REFUSALS.unknown);
    }
    if (state.election.voided.has(pub)) {
      throw new booth.BoothError('credential', SLIP_REFUSALS.voided);
    }
    $('slip-ok').disabled = true;
    $('slip-progress').textContent = 'Đang kiểm tra phiếu với máy chủ…';
    const answer = await slipStatus(pub);
    if (answer !== 'usable') throw new booth.BoothError('slip', SLIP_REFUSALS[answer] || answer);
    state.slip = slip;
    slip = null;
    show('step-mark');
  } catch (exc) {
    const message = exc.message.replace(/^[a-z_.]+: /, '');
    $('slip-error').textContent = exc.code === 'credential' && !Object.values(SLIP_REFUSALS).includes(message)
      ? 'Mã phiếu không đúng (gõ nhầm hoặc phiếu của cuộc bỏ phiếu khác).'
      : (exc instanceof booth.BoothError ? message : `Không kiểm tra được phiếu: ${exc.message}`);
  } finally {
    if (slip) slip.seed.fill(0);
    $('slip-ok').disabled = false;
    $('slip-progress').textContent = '';
  }
}

// QR scanning by camera where the browser has BarcodeDetector (no extra library);
// elsewhere the code is typed or pasted.  Frames stay in this page.
const scanner = { stream: null, timer: null };

async function qrSupported() {
  if (!('BarcodeDetector' in globalThis) || !navigator.mediaDevices?.getUserMedia) return false;
  try {
    return (await globalThis.BarcodeDetector.getSupportedFormats()).includes('qr_code');
  } catch {
    return false;
  }
}

function stopScan() {
  if (scanner.timer) clearTimeout(scanner.timer);
  scanner.timer = null;
  if (scanner.stream) scanner.stream.getTracks().forEach((track) => track.stop());
  scanner.stream = null;
  $('qr-video').srcObject = null;
  $('qr-box').hidden = true;
}

async function startScan() {
  $('slip-error').textContent = '';
  try {
    const detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    scanner.stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    const video = $('qr-video');
    video.srcObject = scanner.stream;
    $('qr-box').hidden = false;
    await video.play();
    const look = async () => {
      if (!scanner.stream) return;
      try {
        const found = await detector.detect(video);
        const payload = found.map((code) => code.rawValue).find((text) => text.startsWith('KDVOTE1:'));
        if (payload) {
          stopScan();
          $('slip-code').value = payload;
          identify();
          return;
        }
      } catch {
        // a frame that cannot be read yet: try the next one
      }
      scanner.timer = setTimeout(look, 200);
    };
    look();
  } catch (exc) {
    stopScan();
    $('slip-error').textContent = `Không mở được camera (${exc.name || exc.message}); hãy nhập mã in trên phiếu.`;
  }
}

function review() {
  state.choices = readChoices();
  const list = $('review-list');
  list.replaceChildren();
  const unmarked = [];
  state.election.manifest.leaders.forEach((leader, i) => {
    const li = document.createElement('li');
    const choice = state.choices[i];
    li.textContent = `${leader.name}: ${choice === null ? 'không đánh dấu' : LEVEL_NAMES[choice]}`;
    if (choice === null) unmarked.push(leader.name);
    list.append(li);
  });
  $('review-warning').textContent = unmarked.length
    ? `Theo Quy định 96-QĐ/TW, phiếu sẽ không hợp lệ đối với: ${unmarked.join(', ')}. Bấm “Mã hóa phiếu” nếu bạn đồng ý.`
    : '';
  show('step-review');
}

function encryptNow() {
  const started = performance.now();
  state.opening = booth.encryptBallot(
    state.election.fingerprint,
    state.election.electionKey,
    state.slip.credentialPub,
    state.choices,
  );
  state.digest = booth.ballotHash(state.opening.ballot);
  root.dataset.encryptMs = String(Math.round(performance.now() - started));
  $('tracking-code').textContent = booth.trackingCode(state.digest);
  document.querySelectorAll('.copy-status').forEach((line) => { line.textContent = ''; });
  show('step-cast');
}

function audit() {
  // Benaloh challenge: export the opening, discard this encryption, encrypt again.
  const opening = state.opening;
  booth.checkOpening(opening.ballot, state.election.electionKey, opening.choices, opening.randomness);
  const file = new Blob([JSON.stringify({
    ballot: opening.ballot, choices: opening.choices, randomness: opening.randomness,
  })], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(file);
  link.download = 'kiem-tra-phieu.json';
  link.click();
  encryptNow();
}

async function cast() {
  $('cast-error').textContent = '';
  $('cast').disabled = true;
  try {
    const body = booth.makeSubmission(state.slip.seed, state.opening.ballot);
    const response = await fetch(root.dataset.cast, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': root.dataset.csrf },
      body,
    });
    const answer = await response.json();
    if (!response.ok) throw new booth.BoothError(answer.code || 'cast', answer.message || '');
    const receipt = booth.verifyReceipt(
      answer,
      state.election.manifest.service_pub,
      booth.toHex(state.election.fingerprint),
      booth.toHex(state.digest),
    );
    const link = $('receipt-download');
    link.href = URL.createObjectURL(new Blob([JSON.stringify(answer)], { type: 'application/json' }));
    const shown = document.createElement('code');
    shown.id = 'done-code';
    shown.className = 'tracking';
    shown.textContent = receipt.tracking_code;
    $('done-message').replaceChildren('Đã bỏ phiếu. Mã theo dõi: ', shown);
    root.dataset.trackingCode = receipt.tracking_code;
    wipe();
    show('step-done');
  } catch (exc) {
    $('cast-error').textContent = `Chưa bỏ phiếu được: ${exc.message.replace(/^[a-z_.]+: /, '')}`;
    $('cast').disabled = false;
  }
}

// The tracking code is copied to the clipboard, or selected where the page may not
// write to it (plain http on a local network).
async function copyCode(event) {
  const code = $(event.currentTarget.dataset.copy);
  const done = event.currentTarget.closest('section').querySelector('.copy-status');
  try {
    await navigator.clipboard.writeText(code.textContent);
    done.textContent = `Đã sao chép mã theo dõi ${code.textContent}.`;
  } catch {
    const range = document.createRange();
    range.selectNodeContents(code);
    getSelection().removeAllRanges();
    getSelection().addRange(range);
    done.textContent = 'Đã chọn mã theo dõi: hãy sao chép hoặc ghi lại.';
  }
}

document.querySelectorAll('button.copy').forEach((button) => button.addEventListener('click', copyCode));
if ($('slip-ok')) $('slip-ok').addEventListener('click', identify);
if ($('qr-scan')) {
  qrSupported().then((ok) => { $('qr-scan').hidden = !ok; });
  $('qr-scan').addEventListener('click', startScan);
  $('qr-stop').addEventListener('click', stopScan);
}
if ($('unlock')) $('unlock').addEventListener('click', unlock);
$('review').addEventListener('click', review);
$('back').addEventListener('click', () => show('step-mark'));
$('encrypt').addEventListener('click', encryptNow);
$('audit').addEventListener('click', audit);
$('cast').addEventListener('click', cast);
load().catch((exc) => status(`Không kiểm tra được cuộc bỏ phiếu: ${exc.message}`, true));

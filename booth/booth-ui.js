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
    : `✗ khác với mã ghi trong danh mục (${pinned})`;
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

function buildLeaders(leaders) {
  const body = document.querySelector('#leaders tbody');
  body.replaceChildren();
  for (const leader of leaders) {
    const tr = document.createElement('tr');
    const number = document.createElement('td');
    number.textContent = String(leader.index + 1);
    const who = document.createElement('td');
    who.textContent = `${leader.name} — ${leader.post}`;
    tr.append(number, who);
    LEVEL_NAMES.forEach((label, level) => {
      const td = document.createElement('td');
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = `leader-${leader.index}`;
      input.value = String(level);
      input.setAttribute('aria-label', `${leader.name}: ${label}`);
      td.append(input);
      tr.append(td);
    });
    const clear = document.createElement('td');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'link';
    button.textContent = 'Bỏ chọn';
    button.addEventListener('click', () => {
      tr.querySelectorAll('input').forEach((r) => { r.checked = false; });
    });
    clear.append(button);
    tr.append(clear);
    body.append(tr);
  }
}

function readChoices() {
  return state.election.manifest.leaders.map((leader) => {
    const picked = document.querySelector(`input[name="leader-${leader.index}"]:checked`);
    return picked ? Number(picked.value) : null;
  });
}

function identify() {
  $('slip-error').textContent = '';
  try {
    const slip = booth.parseSlipInput(state.election.electionId, $('slip-code').value);
    const pub = booth.toHex(slip.credentialPub);
    if (!state.election.credentials.has(pub)) {
      throw new booth.BoothError('credential', 'Mã phiếu không có trong danh sách phiếu đã phát.');
    }
    if (state.election.voided.has(pub)) {
      throw new booth.BoothError('credential', 'Phiếu này đã bị hủy (không được phát ra).');
    }
    state.slip = slip;
    show('step-mark');
  } catch (exc) {
    $('slip-error').textContent = exc.code === 'credential' && !exc.message.includes('Mã phiếu') && !exc.message.includes('Phiếu này')
      ? 'Mã phiếu không đúng (gõ nhầm hoặc phiếu của cuộc bỏ phiếu khác).'
      : exc.message.replace(/^credential: /, '');
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
    $('done-message').textContent = `Đã bỏ phiếu. Mã theo dõi: ${receipt.tracking_code}`;
    root.dataset.trackingCode = receipt.tracking_code;
    wipe();
    show('step-done');
  } catch (exc) {
    $('cast-error').textContent = `Chưa bỏ phiếu được: ${exc.message.replace(/^[a-z_.]+: /, '')}`;
    $('cast').disabled = false;
  }
}

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

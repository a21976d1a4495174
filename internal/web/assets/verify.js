// verify.js reads a certificate's QR code with the device camera on the
// page /verify. It is the UI's only script, served from this origin because
// the page's Content-Security-Policy allows no other; without it the page
// still works, as the photo upload and the pasted text are a plain form.
//
// Where the browser has BarcodeDetector (qr_code), frames are decoded here
// and the HC1 text is submitted with the form. Elsewhere a frame is sent
// about once a second to POST /verify asking for JSON, and the answer says
// only whether the server's decoder read a code; once it has, that frame is
// submitted with the form as the photo. Either way the result is the page
// the server renders, the one place that shows personal data, and nothing
// personal goes into a URL.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const form = $('verify-form');
  const box = $('camera');
  const video = $('camera-video');
  const status = $('camera-status');
  const startButton = $('camera-start');
  const stopButton = $('camera-stop');
  const photo = $('f-photo');
  const text = $('f-hc1');
  if (!form || !box || !video || !status || !startButton || !stopButton || !photo || !text) {
    return;
  }
  // getUserMedia exists only in a secure context (HTTPS or localhost).
  if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return; // the camera section stays hidden
  }
  box.hidden = false;

  const FRAME_MS = 1000; // a frame to the server about once a second
  const DETECT_MS = 250; // decoding in the browser costs the server nothing
  const MAX_SIDE = 1280; // enough pixels for a QR code that fills part of the frame
  const ON = 'Cámara activa: enfoque el código QR. / Camera on: point it at the QR code.';

  let stream = null;
  let timer = 0;
  let detector = null;
  let frames = 0;
  const canvas = document.createElement('canvas');

  const say = (state, message) => {
    status.dataset.state = state;
    status.textContent = message;
  };

  async function qrDetector() {
    if (!('BarcodeDetector' in window)) {
      return null;
    }
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      return formats.includes('qr_code') ? new window.BarcodeDetector({ formats: ['qr_code'] }) : null;
    } catch (e) {
      return null;
    }
  }

  async function start() {
    startButton.disabled = true;
    say('starting', 'Abriendo la cámara… / Opening the camera…');
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
      });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      detector = await qrDetector();
      startButton.hidden = true;
      stopButton.hidden = false;
      status.dataset.decoder = detector ? 'browser' : 'server';
      say('on', ON);
      schedule();
    } catch (e) {
      stop();
      say('error', 'No se puede usar la cámara (' + e.name + '); suba una foto. / ' +
        'The camera cannot be used (' + e.name + '); upload a photo.');
    }
  }

  function stop() {
    clearTimeout(timer);
    timer = 0;
    if (stream) {
      stream.getTracks().forEach((t) => t.stop());
      stream = null;
    }
    video.srcObject = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
    startButton.disabled = false;
  }

  function schedule(ms) {
    clearTimeout(timer); // one pending look at a time, even after a quick stop and start
    if (stream) {
      timer = setTimeout(tick, ms || (detector ? DETECT_MS : FRAME_MS));
    }
  }

  // tick looks at one frame; the next is scheduled only after it, so a slow
  // network never piles requests up.
  async function tick() {
    let wait = 0;
    try {
      if (video.readyState < video.HAVE_CURRENT_DATA) {
        return;
      }
      if (detector) {
        const codes = await detector.detect(video);
        if (stream && codes.length > 0) {
          submitText(codes[0].rawValue);
        }
        return;
      }
      const blob = await frame();
      if (!blob || !stream) {
        return;
      }
      const answer = await ask(blob);
      if (!stream) {
        return; // turned off meanwhile
      }
      if (answer.read) {
        submitPhoto(blob);
        return;
      }
      wait = answer.wait || 0;
    } catch (e) {
      say('error', 'Error al leer la cámara (' + e.name + '); se reintenta. / Error reading the camera (' + e.name + '); retrying.');
      wait = 3 * FRAME_MS;
    } finally {
      schedule(wait);
    }
  }

  function frame() {
    const w = video.videoWidth;
    const h = video.videoHeight;
    if (!w || !h) {
      return Promise.resolve(null);
    }
    const k = Math.min(1, MAX_SIDE / Math.max(w, h));
    canvas.width = Math.round(w * k);
    canvas.height = Math.round(h * k);
    canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  }

  // ask sends a frame with the form's options; the answer says whether a
  // code was read, nothing more.
  async function ask(blob) {
    const body = new FormData(form);
    body.delete('hc1');
    body.set('photo', blob, 'camera.jpg');
    const res = await fetch(form.action, {
      method: 'POST', body, credentials: 'same-origin', cache: 'no-store',
      headers: { Accept: 'application/json' },
    });
    let answer = {};
    try {
      answer = await res.json();
    } catch (e) {
      // not JSON: an error page of a proxy, say
    }
    frames++;
    status.dataset.frames = String(frames);
    if (res.ok) {
      say('on', ON);
      return { read: answer.read === true };
    }
    const why = answer.message || answer.detail || ('Error ' + res.status);
    say('warning', why);
    return { read: false, wait: res.status === 429 ? 5 * FRAME_MS : 3 * FRAME_MS };
  }

  function submitText(value) {
    stop();
    photo.value = '';
    text.value = value;
    say('read', 'Código leído; verificando… / Code read; verifying…');
    form.submit();
  }

  function submitPhoto(blob) {
    stop();
    try {
      const files = new DataTransfer();
      files.items.add(new File([blob], 'camera.jpg', { type: 'image/jpeg' }));
      photo.files = files.files;
    } catch (e) {
      say('error', 'Código leído, pero este navegador no puede enviarlo; suba una foto. / ' +
        'Code read, but this browser cannot send it; upload a photo.');
      return;
    }
    text.value = '';
    say('read', 'Código leído; verificando… / Code read; verifying…');
    form.submit();
  }

  startButton.addEventListener('click', start);
  stopButton.addEventListener('click', () => {
    stop();
    say('off', 'La cámara está apagada. / The camera is off.');
  });
  // Nobody should leave a camera running in a background tab.
  document.addEventListener('visibilitychange', () => {
    if (document.hidden && stream) {
      stop();
      say('off', 'La cámara está apagada. / The camera is off.');
    }
  });
  window.addEventListener('pagehide', stop);
})();

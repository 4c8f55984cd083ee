/*
 * The card fields of the Stripe sandbox's Payment and Card Elements. This page runs in an
 * iframe of the sandbox's origin, so the shop's page cannot read what is typed here. It
 * validates with Stripe.js's own messages, reports change/focus/blur/resize to the parent,
 * and, when the parent asks, posts the card to /v1/payment_methods with the publishable key
 * and answers with the PaymentMethod (only its id, for a confirmation).
 *
 * Configuration (element id, type, key, account, appearance, options) comes in the URL
 * fragment, which never reaches a server log.
 */
(function () {
  'use strict';

  var config = {};
  try {
    config = JSON.parse(decodeURIComponent(location.hash.slice(1))) || {};
  } catch (e) {
    config = {};
  }
  var options = config.options || {};
  var parentOrigin = typeof config.parentOrigin === 'string' ? config.parentOrigin : null;
  // A page opened from file:// has the opaque origin "null", which postMessage cannot target.
  var targetOrigin = parentOrigin && parentOrigin !== 'null' ? parentOrigin : '*';
  var isCard = config.type === 'card';
  if (isCard) {
    document.body.classList.add('card');
  }

  var form = document.getElementById('card-form');
  var fields = {
    number: document.getElementById('number'),
    expiry: document.getElementById('expiry'),
    cvc: document.getElementById('cvc'),
    postalCode: document.getElementById('postalCode')
  };
  var order = ['number', 'expiry', 'cvc', 'postalCode'];
  var touched = {};

  function post(type, extra) {
    var message = { __stripeSandbox: 1, elementId: config.elementId, type: type };
    for (var key in extra || {}) {
      if (Object.prototype.hasOwnProperty.call(extra, key)) {
        message[key] = extra[key];
      }
    }
    window.parent.postMessage(message, targetOrigin);
  }

  /* ---------- appearance ---------- */

  var THEMES = {
    stripe: {},
    flat: { colorBackground: '#f6f8fa', colorBorder: '#f6f8fa' },
    night: {
      colorBackground: '#30313d',
      colorText: '#ffffff',
      colorTextSecondary: '#d0d0d8',
      colorTextPlaceholder: '#a0a0ab',
      colorBorder: '#424353',
      colorPrimary: '#0570de'
    }
  };
  var VARIABLES = ['colorPrimary', 'colorBackground', 'colorText', 'colorTextSecondary',
    'colorTextPlaceholder', 'colorDanger', 'colorBorder', 'fontFamily', 'fontSizeBase',
    'spacingUnit', 'borderRadius'];
  var applied = [];

  function applyAppearance(appearance, elementOptions) {
    var root = document.documentElement.style;
    applied.forEach(function (name) {
      root.removeProperty('--' + name);
    });
    applied = [];
    var values = {};
    var theme = THEMES[(appearance && appearance.theme) || 'stripe'] || {};
    Object.keys(theme).forEach(function (k) {
      values[k] = theme[k];
    });
    var vars = (appearance && appearance.variables) || {};
    Object.keys(vars).forEach(function (k) {
      values[k] = vars[k];
    });
    // The Card Element is styled through options.style (base/invalid) instead.
    var style = (elementOptions && elementOptions.style) || {};
    if (style.base) {
      if (style.base.color) { values.colorText = style.base.color; }
      if (style.base.fontFamily) { values.fontFamily = style.base.fontFamily; }
      if (style.base.fontSize) { values.fontSizeBase = style.base.fontSize; }
      if (style.base['::placeholder'] && style.base['::placeholder'].color) {
        values.colorTextPlaceholder = style.base['::placeholder'].color;
      }
    }
    if (style.invalid && style.invalid.color) {
      values.colorDanger = style.invalid.color;
    }
    VARIABLES.forEach(function (name) {
      if (typeof values[name] === 'string' || typeof values[name] === 'number') {
        root.setProperty('--' + name, String(values[name]));
        applied.push(name);
      }
    });
  }

  function wantsPostalCode() {
    if (isCard) {
      return !options.hidePostalCode;
    }
    var billing = options.fields && options.fields.billingDetails;
    var address = billing && (billing === 'never' ? 'never' : billing.address);
    var postal = address && (address === 'never' ? 'never' : address.postalCode);
    return postal !== 'never';
  }

  function applyOptions() {
    document.getElementById('postal-field').hidden = !wantsPostalCode();
    if (options.disabled !== undefined) {
      order.forEach(function (name) {
        fields[name].disabled = !!options.disabled;
      });
    }
  }

  /* ---------- card rules ---------- */

  function digits(value) {
    return value.replace(/\D/g, '');
  }

  function brandOf(number) {
    if (/^4/.test(number)) { return 'visa'; }
    if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]|[3-6]|7[01]|720))/.test(number)) { return 'mastercard'; }
    if (/^3[47]/.test(number)) { return 'amex'; }
    if (/^(6011|65|64[4-9])/.test(number)) { return 'discover'; }
    if (/^35/.test(number)) { return 'jcb'; }
    if (/^(36|38|30[0-5])/.test(number)) { return 'diners'; }
    if (/^62/.test(number)) { return 'unionpay'; }
    return 'unknown';
  }

  function numberLength(brand) {
    return brand === 'amex' ? 15 : brand === 'diners' ? 14 : 16;
  }

  function luhn(number) {
    var sum = 0;
    for (var i = 0; i < number.length; i++) {
      var d = +number[number.length - 1 - i];
      if (i % 2 === 1) {
        d *= 2;
        if (d > 9) { d -= 9; }
      }
      sum += d;
    }
    return sum % 10 === 0;
  }

  function formatNumber(number) {
    var groups = brandOf(number) === 'amex' ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var out = [];
    var at = 0;
    for (var i = 0; i < groups.length && at < number.length; i++) {
      out.push(number.slice(at, at + groups[i]));
      at += groups[i];
    }
    return out.join(' ');
  }

  function formatExpiry(raw, deleting) {
    var d = digits(raw);
    if (d.length === 1 && +d > 1) {
      d = '0' + d;
    }
    d = d.slice(0, 4);
    if (d.length > 2) {
      return d.slice(0, 2) + ' / ' + d.slice(2);
    }
    return d.length === 2 && !deleting ? d + ' / ' : d;
  }

  function error(code, message) {
    return { type: 'validation_error', code: code, message: message };
  }

  /* The error of one field, with Stripe.js's codes and messages; null when valid.
     `final` means "the shopper is done": incomplete values are errors then. */
  function check(name, final) {
    var value = fields[name].value;
    if (name === 'number') {
      var number = digits(value);
      var want = numberLength(brandOf(number));
      if (number.length < want) {
        return final || number.length === 0 ? error('incomplete_number', 'Your card number is incomplete.') : null;
      }
      return luhn(number) ? null : error('invalid_number', 'Your card number is invalid.');
    }
    if (name === 'expiry') {
      var d = digits(value);
      if (d.length < 4) {
        return final || d.length === 0 ? error('incomplete_expiry', "Your card's expiration date is incomplete.") : null;
      }
      var month = +d.slice(0, 2);
      var year = 2000 + +d.slice(2, 4);
      var now = new Date();
      var thisYear = now.getFullYear();
      if (month < 1 || month > 12) {
        return error('invalid_expiry_month', "Your card's expiration date is invalid.");
      }
      if (year < thisYear) {
        return error('invalid_expiry_year_past', "Your card's expiration year is in the past.");
      }
      if (year === thisYear && month < now.getMonth() + 1) {
        return error('invalid_expiry_month_past', "Your card's expiration date is in the past.");
      }
      if (year > thisYear + 50) {
        return error('invalid_expiry_year', "Your card's expiration year is invalid.");
      }
      return null;
    }
    if (name === 'cvc') {
      var cvc = digits(value);
      var cvcLength = brandOf(digits(fields.number.value)) === 'amex' ? 4 : 3;
      if (cvc.length < cvcLength) {
        return final || cvc.length === 0 ? error('incomplete_cvc', "Your card's security code is incomplete.") : null;
      }
      return null;
    }
    if (name === 'postalCode') {
      if (!wantsPostalCode()) {
        return null;
      }
      return value.trim() === '' ? error('incomplete_zip', 'Your postal code is incomplete.') : null;
    }
    return null;
  }

  function show(name, err) {
    var input = fields[name];
    input.setAttribute('aria-invalid', err ? 'true' : 'false');
    document.getElementById(name + '-error').textContent = err ? err.message : '';
  }

  function activeFields() {
    return order.filter(function (name) {
      return name !== 'postalCode' || wantsPostalCode();
    });
  }

  function state() {
    var active = activeFields();
    var empty = active.every(function (name) {
      return fields[name].value.trim() === '';
    });
    var complete = active.every(function (name) {
      return check(name, true) === null;
    });
    // The error a Card Element reports: the first field that is wrong now, or that was
    // left incomplete.
    var shown = null;
    active.some(function (name) {
      var err = check(name, touched[name] && fields[name] !== document.activeElement);
      if (err && fields[name].value.trim() === '' && !touched[name]) {
        err = null;
      }
      if (err) {
        shown = err;
      }
      return !!err;
    });
    return {
      empty: empty,
      complete: complete,
      error: shown,
      brand: brandOf(digits(fields.number.value)),
      postalCode: wantsPostalCode() ? fields.postalCode.value.trim() : ''
    };
  }

  function reportChange() {
    post('change', state());
  }

  /* ---------- typing ---------- */

  fields.number.addEventListener('input', function () {
    var number = digits(fields.number.value).slice(0, 19);
    number = number.slice(0, Math.max(numberLength(brandOf(number)), brandOf(number) === 'unknown' ? 19 : 0));
    fields.number.value = formatNumber(number);
    var err = check('number', false);
    show('number', err && err.code === 'invalid_number' ? err : null);
    if (number.length === numberLength(brandOf(number)) && !err) {
      fields.expiry.focus();
    }
    reportChange();
  });

  fields.expiry.addEventListener('input', function (event) {
    var deleting = event.inputType && event.inputType.indexOf('delete') === 0;
    fields.expiry.value = formatExpiry(fields.expiry.value, deleting);
    var err = check('expiry', false);
    show('expiry', err);
    if (digits(fields.expiry.value).length === 4 && !err) {
      fields.cvc.focus();
    }
    reportChange();
  });

  fields.cvc.addEventListener('input', function () {
    var max = brandOf(digits(fields.number.value)) === 'amex' ? 4 : 3;
    fields.cvc.value = digits(fields.cvc.value).slice(0, max);
    show('cvc', null);
    reportChange();
  });

  fields.postalCode.addEventListener('input', function () {
    fields.postalCode.value = fields.postalCode.value.slice(0, 10);
    show('postalCode', null);
    reportChange();
  });

  order.forEach(function (name) {
    fields[name].addEventListener('blur', function () {
      if (fields[name].value.trim() !== '') {
        touched[name] = true;
        show(name, check(name, true));
      }
      reportChange();
    });
  });

  form.addEventListener('focusin', function (event) {
    if (!form.contains(event.relatedTarget)) {
      post('focus');
    }
  });
  form.addEventListener('focusout', function (event) {
    if (!form.contains(event.relatedTarget)) {
      post('blur');
    }
  });
  form.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      post('escape');
    }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
  });

  /* ---------- answering the parent ---------- */

  /* Checks every field, shows each error, and focuses the first wrong field. */
  function validateAll() {
    var first = null;
    activeFields().forEach(function (name) {
      touched[name] = true;
      var err = check(name, true);
      show(name, err);
      if (err && !first) {
        first = { name: name, error: err };
      }
    });
    reportChange();
    if (first) {
      fields[first.name].focus();
      return first.error;
    }
    return null;
  }

  function appendParams(form, value, prefix) {
    if (value === undefined || value === null || value === '') {
      return;
    }
    if (typeof value === 'object') {
      Object.keys(value).forEach(function (key) {
        appendParams(form, value[key], prefix + '[' + key + ']');
      });
    } else {
      form.append(prefix, String(value));
    }
  }

  function createPaymentMethod(payload) {
    var invalid = validateAll();
    if (invalid) {
      return Promise.resolve({ error: invalid });
    }
    var expiry = digits(fields.expiry.value);
    var body = new URLSearchParams();
    body.append('type', 'card');
    body.append('card[number]', digits(fields.number.value));
    body.append('card[exp_month]', expiry.slice(0, 2));
    body.append('card[exp_year]', '20' + expiry.slice(2, 4));
    body.append('card[cvc]', digits(fields.cvc.value));
    var billing = payload.billing_details || {};
    if (wantsPostalCode()) {
      billing = JSON.parse(JSON.stringify(billing));
      billing.address = billing.address || {};
      billing.address.postal_code = fields.postalCode.value.trim();
    }
    appendParams(body, billing, 'billing_details');
    body.append('key', config.key || '');
    if (config.stripeAccount) {
      body.append('_stripe_account', config.stripeAccount);
    }
    if (config.apiVersion) {
      body.append('_stripe_version', config.apiVersion);
    }
    body.append('payment_user_agent', 'stripe.js/sandbox; stripe-js-v3/sandbox; ' + (isCard ? 'card-element' : 'payment-element'));
    return fetch('/v1/payment_methods', { method: 'POST', body: body, credentials: 'omit' })
      .then(function (response) {
        return response.json().then(function (json) {
          if (!response.ok) {
            var err = json && json.error ? json.error : { type: 'api_error', message: 'The sandbox answered ' + response.status + '.' };
            if (err.type === 'card_error' && err.param === 'number') {
              show('number', err);
            }
            return { error: err };
          }
          return { paymentMethod: payload.full ? json : { id: json.id } };
        });
      }, function () {
        return { error: { type: 'api_connection_error', message: 'Could not reach the Stripe sandbox.' } };
      });
  }

  window.addEventListener('message', function (event) {
    if (event.source !== window.parent) {
      return;
    }
    if (targetOrigin !== '*' && event.origin !== parentOrigin) {
      return;
    }
    var message = event.data;
    if (!message || message.__stripeSandbox !== 1 || message.elementId !== config.elementId) {
      return;
    }
    var payload = message.payload || {};
    var answer = function (result) {
      post('response', { callId: payload.callId, result: result });
    };
    switch (message.action) {
      case 'createPaymentMethod':
        createPaymentMethod(payload).then(answer);
        break;
      case 'validate':
        var invalid = validateAll();
        answer(invalid ? { error: invalid } : {});
        break;
      case 'update':
        if (payload.options) {
          options = payload.options;
          applyOptions();
        }
        applyAppearance(payload.appearance || config.appearance, options);
        reportSize();
        reportChange();
        break;
      case 'focus':
        fields.number.focus();
        break;
      case 'blur':
        if (document.activeElement && document.activeElement.blur) {
          document.activeElement.blur();
        }
        break;
      case 'clear':
        order.forEach(function (name) {
          fields[name].value = '';
          show(name, null);
        });
        touched = {};
        reportChange();
        break;
    }
  });

  /* ---------- size ---------- */

  var lastHeight = 0;
  function reportSize() {
    var height = Math.ceil(form.getBoundingClientRect().bottom) + 2;
    if (height !== lastHeight) {
      lastHeight = height;
      post('resize', { height: height });
    }
  }
  if (typeof ResizeObserver === 'function') {
    new ResizeObserver(reportSize).observe(form);
  }

  applyAppearance(config.appearance, options);
  applyOptions();
  reportSize();
  post('ready');
})();

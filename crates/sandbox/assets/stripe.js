/*
 * Stripe.js stand-in, served by stripe-sandbox at /v3/ (as js.stripe.com serves the real one).
 *
 * It defines window.Stripe with the part of the Stripe.js v3 API a Connect checkout uses:
 * Stripe(pk, {stripeAccount, apiVersion, locale}), stripe.elements({clientSecret, appearance,
 * locale}) or, before any PaymentIntent exists, stripe.elements({mode: 'payment', amount,
 * currency, onBehalfOf, paymentMethodTypes, setupFutureUsage, captureMethod, appearance,
 * locale}); elements.create('payment' | 'card'), elements.update, elements.submit,
 * element.mount/unmount/destroy/on/off/once/focus/blur/clear/update, stripe.confirmPayment,
 * stripe.confirmCardPayment, stripe.createPaymentMethod, stripe.retrievePaymentIntent,
 * stripe.handleNextAction, stripe.handleCardAction and
 * stripe.createToken('bank_account' | 'account', data).
 *
 * The deferred flow (https://docs.stripe.com/payments/accept-a-payment-deferred) holds as in
 * Stripe.js: the Payment Element mounts from the amount and currency alone; elements.update
 * changes them without remounting; confirmPayment needs the PaymentIntent's clientSecret and a
 * successful elements.submit() since the last confirmation or change of the payment's options,
 * and reads the PaymentIntent first (one GET) to refuse, confirming nothing, one made for
 * another amount, currency, capture method, future usage or payment method types. Only
 * mode 'payment' and the card payment method exist here (the sandbox has no SetupIntents or
 * subscriptions).
 *
 * As with the real Stripe.js, card data never reaches the page: the fields live in an iframe
 * served by the sandbox's own origin (/v3/elements-inner-card.html). To pay, this script asks
 * the iframe (postMessage, origin-checked both ways) to create a PaymentMethod; the iframe
 * posts the card to /v1/payment_methods with the publishable key and answers with the pm_ id
 * only. This script then confirms the PaymentIntent with that id and the client secret, as
 * Stripe.js does, with the key and account in the form body (no Authorization header, so no
 * CORS preflight).
 *
 * A 3-D Secure challenge (requires_action) opens the sandbox's challenge page in a modal
 * iframe (role=dialog, titled "3D Secure authentication"); the confirmation resolves once the
 * shopper completes or fails it. handleNextAction / handleCardAction do the same for a
 * PaymentIntent confirmed on the server.
 */
(function () {
  'use strict';

  if (window.Stripe && window.Stripe.__sandbox) {
    return;
  }

  function findOwnScript() {
    if (document.currentScript && document.currentScript.src) {
      return document.currentScript.src;
    }
    var scripts = document.getElementsByTagName('script');
    for (var i = scripts.length - 1; i >= 0; i--) {
      if (/\/v3\/?(stripe\.js)?(\?.*)?$/.test(scripts[i].src)) {
        return scripts[i].src;
      }
    }
    return location.href;
  }

  var ORIGIN = new URL(findOwnScript(), location.href).origin;
  var FRAME_URL = ORIGIN + '/v3/elements-inner-card.html';
  var RELEASE_TRAIN = 'dahlia';
  var USER_AGENT = 'stripe.js/sandbox; stripe-js-v3/sandbox';
  var elementsById = {};
  var nextElementNumber = 1;
  var pageToken = Math.random().toString(36).slice(2, 8);

  function IntegrationError(message) {
    var error = new Error(message);
    error.name = 'IntegrationError';
    return error;
  }

  function rejectWith(message) {
    return Promise.reject(IntegrationError(message));
  }

  /* ---------- talking to the API ---------- */

  function appendParams(form, value, prefix) {
    if (value === undefined || value === null) {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach(function (item, i) {
        appendParams(form, item, prefix + '[' + i + ']');
      });
    } else if (typeof value === 'object') {
      Object.keys(value).forEach(function (key) {
        appendParams(form, value[key], prefix ? prefix + '[' + key + ']' : key);
      });
    } else {
      form.append(prefix, String(value));
    }
  }

  function connectionError() {
    return {
      error: {
        type: 'api_connection_error',
        message: 'Could not reach the Stripe sandbox at ' + ORIGIN + '. Is it running?'
      }
    };
  }

  function intentIdOf(clientSecret) {
    var match = typeof clientSecret === 'string' && /^(pi_[A-Za-z0-9]+)_secret_[A-Za-z0-9]+$/.exec(clientSecret);
    return match ? match[1] : null;
  }

  function badClientSecret(method, clientSecret) {
    return 'Invalid value for ' + method + ': clientSecret should be a client secret of the form ' +
      '${id}_secret_${secret}. You specified: ' + String(clientSecret) + '.';
  }

  /* ---------- Stripe ---------- */

  function Stripe(key, options) {
    if (!(this instanceof Stripe)) {
      return new Stripe(key, options);
    }
    if (typeof key !== 'string') {
      throw IntegrationError('Invalid value for Stripe(): apiKey should be a string. You specified: ' + typeof key + '.');
    }
    if (key === '') {
      throw IntegrationError('Please call Stripe() with your publishable key. You used an empty string.');
    }
    if (/^(sk|rk)_/.test(key)) {
      throw IntegrationError('You should not use your secret key with Stripe.js.\nPlease pass a publishable key instead.');
    }
    options = options || {};
    this._key = key;
    this._account = options.stripeAccount || null;
    this._apiVersion = options.apiVersion || null;
    this._locale = options.locale || 'auto';
  }

  Stripe.version = RELEASE_TRAIN;
  Stripe.__sandbox = true;

  /* The fields Stripe.js puts on every call, so the API can tell who sent it. */
  Stripe.prototype._baseParams = function () {
    var params = { key: this._key, payment_user_agent: USER_AGENT };
    if (this._account) {
      params._stripe_account = this._account;
    }
    if (this._apiVersion) {
      params._stripe_version = this._apiVersion;
    }
    return params;
  };

  /* Resolves to {ok, json}; never rejects. */
  Stripe.prototype._request = function (method, path, params) {
    var form = new URLSearchParams();
    appendParams(form, this._baseParams(), '');
    appendParams(form, params || {}, '');
    var url = ORIGIN + path;
    var init = { method: method, credentials: 'omit' };
    if (method === 'GET') {
      url += '?' + form.toString();
    } else {
      init.body = form;
    }
    return fetch(url, init).then(function (response) {
      return response.json().then(function (json) {
        return { ok: response.ok, json: json };
      }, function () {
        return { ok: false, json: { error: { type: 'api_error', message: 'The sandbox answered ' + response.status + ' with a body that is not JSON.' } } };
      });
    }, function () {
      return { ok: false, json: connectionError() };
    });
  };

  Stripe.prototype.elements = function (options) {
    return new Elements(this, options || {});
  };

  Stripe.prototype.retrievePaymentIntent = function (clientSecret) {
    var id = intentIdOf(clientSecret);
    if (!id) {
      return rejectWith(badClientSecret('retrievePaymentIntent', clientSecret));
    }
    return this._request('GET', '/v1/payment_intents/' + id, { client_secret: clientSecret })
      .then(function (r) {
        return r.ok ? { paymentIntent: r.json } : { error: r.json.error };
      });
  };

  /* What a confirmation resolves to, from the confirmed PaymentIntent. A 3-D Secure
     challenge (next_action use_stripe_sdk) is shown in a modal first; redirect_to_url leaves
     the page, as Stripe.js does. */
  Stripe.prototype._settle = function (paymentIntent, redirect, returnUrl) {
    var self = this;
    var status = paymentIntent.status;
    var next = paymentIntent.next_action;
    if (status === 'requires_action' && next && next.type === 'redirect_to_url' && next.redirect_to_url) {
      location.assign(next.redirect_to_url.url);
      return new Promise(function () {});
    }
    if (status === 'requires_action') {
      return this._authenticate(paymentIntent).then(function (result) {
        return result.error ? result : self._settle(result.paymentIntent, redirect, returnUrl);
      });
    }
    if (status === 'requires_payment_method' && paymentIntent.last_payment_error) {
      var error = {};
      var last = paymentIntent.last_payment_error;
      Object.keys(last).forEach(function (key) {
        error[key] = last[key];
      });
      error.payment_intent = paymentIntent;
      return { error: error };
    }
    if (redirect === 'always' && returnUrl && (status === 'succeeded' || status === 'processing' || status === 'requires_capture')) {
      var target = new URL(returnUrl, location.href);
      target.searchParams.set('payment_intent', paymentIntent.id);
      target.searchParams.set('payment_intent_client_secret', paymentIntent.client_secret);
      target.searchParams.set('redirect_status', 'succeeded');
      location.assign(target.toString());
      return new Promise(function () {});
    }
    return { paymentIntent: paymentIntent };
  };

  /* Shows the challenge page of a requires_action PaymentIntent in a modal iframe, waits for
     the shopper to complete or fail it, then resolves to {paymentIntent} (fetched again) or
     {error}. */
  Stripe.prototype._authenticate = function (paymentIntent) {
    var self = this;
    var sdk = paymentIntent.next_action && paymentIntent.next_action.use_stripe_sdk;
    var url = sdk && sdk.stripe_js;
    if (!url || new URL(url, location.href).origin !== ORIGIN) {
      return Promise.resolve({
        error: {
          type: 'invalid_request_error',
          code: 'payment_intent_unexpected_state',
          message: 'The PaymentIntent needs an action the Stripe sandbox does not know.',
          payment_intent: paymentIntent
        }
      });
    }
    return new Promise(function (resolve) {
      var previousFocus = document.activeElement;
      var overlay = document.createElement('div');
      overlay.className = '__PrivateStripeSandbox3ds';
      overlay.setAttribute('role', 'dialog');
      overlay.setAttribute('aria-modal', 'true');
      overlay.setAttribute('aria-label', '3D Secure authentication');
      overlay.style.cssText = 'position:fixed;inset:0;z-index:2147483647;display:flex;align-items:center;justify-content:center;background:rgba(10,16,32,.55);';
      var frame = document.createElement('iframe');
      frame.name = '__privateStripeSandbox3dsFrame';
      frame.title = '3D Secure authentication';
      frame.src = url;
      frame.style.cssText = 'border:0;border-radius:8px;background:#fff;width:min(480px,94vw);height:min(560px,90vh);box-shadow:0 12px 40px rgba(0,0,0,.35);';
      overlay.appendChild(frame);
      document.body.appendChild(overlay);
      frame.addEventListener('load', function () {
        try {
          frame.focus();
        } catch (e) { /* focus is a courtesy */ }
      });
      function onMessage(event) {
        var data = event.data;
        if (event.origin !== ORIGIN || event.source !== frame.contentWindow || !data || data.__stripeSandbox3ds !== 1) {
          return;
        }
        window.removeEventListener('message', onMessage);
        if (overlay.parentNode) {
          overlay.parentNode.removeChild(overlay);
        }
        if (previousFocus && typeof previousFocus.focus === 'function') {
          previousFocus.focus();
        }
        self._request('GET', '/v1/payment_intents/' + paymentIntent.id, { client_secret: paymentIntent.client_secret })
          .then(function (r) {
            resolve(r.ok ? { paymentIntent: r.json } : { error: r.json.error });
          });
      }
      window.addEventListener('message', onMessage);
    });
  };

  Stripe.prototype._confirm = function (clientSecret, params, redirect, returnUrl) {
    var self = this;
    params.client_secret = clientSecret;
    return this._request('POST', '/v1/payment_intents/' + intentIdOf(clientSecret) + '/confirm', params)
      .then(function (r) {
        return r.ok ? self._settle(r.json, redirect, returnUrl) : { error: r.json.error };
      });
  };

  Stripe.prototype.confirmPayment = function (options) {
    options = options || {};
    var elements = options.elements;
    var confirmParams = options.confirmParams || {};
    var redirect = options.redirect || 'always';
    if (redirect !== 'always' && redirect !== 'if_required') {
      return rejectWith('Invalid value for confirmPayment(): redirect should be one of always or if_required. You specified: ' + redirect + '.');
    }
    var element = elements && elements instanceof Elements ? elements.getElement('payment') : null;
    if (!element || !element._mounted) {
      return rejectWith('Invalid value for stripe.confirmPayment(): elements should have a mounted Payment Element or Express Checkout Element.');
    }
    var deferred = elements._deferred;
    if (deferred && !options.clientSecret) {
      // Paraphrase: the confirmPayment reference says clientSecret is required in this flow.
      return rejectWith('Missing value for stripe.confirmPayment(): clientSecret is required when the Elements instance was created ' +
        'without one. Create the PaymentIntent on your server and pass its client secret.');
    }
    var clientSecret = options.clientSecret || elements._clientSecret;
    if (!intentIdOf(clientSecret)) {
      return rejectWith(badClientSecret('confirmPayment', clientSecret));
    }
    if (redirect === 'always' && !confirmParams.return_url) {
      return rejectWith('stripe.confirmPayment(): the `confirmParams.return_url` argument is required unless passing `redirect: \'if_required\'`');
    }
    if (deferred) {
      if (!elements._submitted) {
        // Stripe.js's text for createPaymentMethod (https://github.com/stripe/stripe-js/issues/431),
        // with confirmPayment named instead.
        return rejectWith('elements.submit() must be called before stripe.confirmPayment(). Call elements.submit() as soon as your ' +
          'customer presses pay, prior to any asynchronous work. Integration guide: https://stripe.com/docs/payments/accept-a-payment-deferred');
      }
      // One submit covers one confirmation: a retry after a decline or a refusal submits again.
      elements._submitted = false;
    }
    var self = this;
    var checked = deferred ? this._checkDeferredIntent(clientSecret, deferred) : Promise.resolve(null);
    return checked.then(function (failure) {
      if (failure) {
        return failure;
      }
      var pmData = confirmParams.payment_method_data || {};
      return element._call('createPaymentMethod', { billing_details: pmData.billing_details || null, full: false })
        .then(function (created) {
          if (created.error) {
            return { error: created.error };
          }
          var params = { payment_method: created.paymentMethod.id };
          ['return_url', 'receipt_email', 'shipping', 'setup_future_usage'].forEach(function (name) {
            if (confirmParams[name]) {
              params[name] = confirmParams[name];
            }
          });
          return self._confirm(clientSecret, params, redirect, confirmParams.return_url);
        });
    });
  };

  function sameCaptureMethod(a, b) {
    // automatic_async is automatic with the charge settled asynchronously; for what the
    // shopper is asked to pay they are the same.
    var norm = function (m) {
      return m === 'automatic_async' ? 'automatic' : m;
    };
    return norm(a) === norm(b);
  }

  /* Reads the PaymentIntent (one GET with the publishable key and client secret) and throws
     an IntegrationError, before anything is confirmed, when it was made for another payment
     than the Elements describe. Resolves to null to go on, or to {error} when the read failed.
     Stripe.js's own mismatch texts are not public; these are paraphrases naming both values. */
  Stripe.prototype._checkDeferredIntent = function (clientSecret, deferred) {
    return this._request('GET', '/v1/payment_intents/' + intentIdOf(clientSecret), { client_secret: clientSecret })
      .then(function (r) {
        if (!r.ok) {
          return { error: r.json.error };
        }
        var pi = r.json;
        function mismatch(what, intentValue, elementsValue) {
          throw IntegrationError('stripe.confirmPayment(): the PaymentIntent\'s ' + what + ' (' + shown(intentValue) +
            ') does not match the ' + what + ' of the Elements instance (' + shown(elementsValue) + '). Create the ' +
            'PaymentIntent with the values passed to elements() or elements.update().');
        }
        if (pi.amount !== deferred.amount) {
          mismatch('amount', pi.amount, deferred.amount);
        }
        if (pi.currency !== deferred.currency) {
          mismatch('currency', pi.currency, deferred.currency);
        }
        if (deferred.captureMethod !== undefined && !sameCaptureMethod(pi.capture_method, deferred.captureMethod)) {
          mismatch('capture_method', pi.capture_method, deferred.captureMethod);
        }
        if (deferred.setupFutureUsage !== undefined && pi.setup_future_usage !== deferred.setupFutureUsage) {
          mismatch('setup_future_usage', pi.setup_future_usage, deferred.setupFutureUsage);
        }
        if (deferred.paymentMethodTypes !== undefined) {
          var wanted = deferred.paymentMethodTypes.slice().sort().join(',');
          var actual = (pi.payment_method_types || []).slice().sort().join(',');
          if (wanted !== actual) {
            mismatch('payment_method_types', pi.payment_method_types, deferred.paymentMethodTypes);
          }
        }
        return null;
      });
  };

  Stripe.prototype.confirmCardPayment = function (clientSecret, data) {
    if (!intentIdOf(clientSecret)) {
      return rejectWith(badClientSecret('confirmCardPayment', clientSecret));
    }
    data = data || {};
    var self = this;
    var method = data.payment_method;
    var extra = {};
    ['return_url', 'receipt_email', 'shipping', 'setup_future_usage'].forEach(function (name) {
      if (data[name]) {
        extra[name] = data[name];
      }
    });
    var paymentMethodId;
    if (typeof method === 'string') {
      paymentMethodId = Promise.resolve({ paymentMethod: { id: method } });
    } else if (method && method.card instanceof Element) {
      paymentMethodId = method.card._call('createPaymentMethod', { billing_details: method.billing_details || null, full: false });
    } else if (method) {
      return rejectWith('Invalid value for confirmCardPayment: payment_method should be a PaymentMethod id or {card: element}.');
    } else {
      paymentMethodId = Promise.resolve({ paymentMethod: null });
    }
    return paymentMethodId.then(function (created) {
      if (created.error) {
        return { error: created.error };
      }
      if (created.paymentMethod) {
        extra.payment_method = created.paymentMethod.id;
      }
      return self._confirm(clientSecret, extra, 'if_required', null);
    });
  };

  Stripe.prototype.createPaymentMethod = function (a, b, c) {
    // ({type:'card', card: element, billing_details}), ({elements, params}), or the legacy
    // ('card', element, {billing_details}).
    var element;
    var billing;
    if (typeof a === 'string') {
      element = b;
      billing = c && c.billing_details;
    } else if (a && a.elements instanceof Elements) {
      element = a.elements.getElement('payment') || a.elements.getElement('card');
      billing = a.params && a.params.billing_details;
    } else if (a) {
      element = a.card;
      billing = a.billing_details;
    }
    if (!(element instanceof Element) || !element._mounted) {
      return rejectWith('Invalid value for createPaymentMethod: card should be a mounted Element.');
    }
    return element._call('createPaymentMethod', { billing_details: billing || null, full: true });
  };

  function notYet(name) {
    return function () {
      return Promise.resolve({
        error: {
          type: 'invalid_request_error',
          message: 'stripe.' + name + '() is not available in the Stripe sandbox yet.'
        }
      });
    };
  }

  /* Finishes what a server-side confirmation left in requires_action (the 3-D Secure
     challenge), and rejects, as Stripe.js throws, when there is nothing to handle. */
  Stripe.prototype.handleNextAction = function (options) {
    var clientSecret = options && options.clientSecret;
    return this._handleAction('handleNextAction', clientSecret);
  };

  Stripe.prototype.handleCardAction = function (clientSecret) {
    return this._handleAction('handleCardAction', clientSecret);
  };

  Stripe.prototype._handleAction = function (method, clientSecret) {
    var id = intentIdOf(clientSecret);
    if (!id) {
      return rejectWith(badClientSecret(method, clientSecret));
    }
    var self = this;
    return this._request('GET', '/v1/payment_intents/' + id, { client_secret: clientSecret })
      .then(function (r) {
        if (!r.ok) {
          return { error: r.json.error };
        }
        if (r.json.status !== 'requires_action') {
          throw IntegrationError('stripe.' + method + '(): the PaymentIntent has a status of ' + r.json.status +
            '; only a PaymentIntent with status requires_action has a next action to handle.');
        }
        return self._settle(r.json, 'if_required', null);
      });
  };
  /* createToken('bank_account', {country, currency, routing_number, account_number,
     account_holder_name, account_holder_type}) and createToken('account', {business_type,
     individual, company, tos_shown_and_accepted}) resolve to {token} or {error}. */
  Stripe.prototype.createToken = function (type, data) {
    if (type === 'bank_account' || type === 'account') {
      if (!data || typeof data !== 'object') {
        return rejectWith('Invalid value for createToken: data should be an object. You specified: ' + typeof data + '.');
      }
      var params = {};
      params[type] = data;
      return this._request('POST', '/v1/tokens', params).then(function (r) {
        return r.ok ? { token: r.json } : { error: r.json.error };
      });
    }
    var name = type instanceof Element ? 'card Element' : String(type);
    return Promise.resolve({
      error: {
        type: 'invalid_request_error',
        message: 'The Stripe sandbox makes bank_account and account tokens only, not ' + name + ' tokens (use createPaymentMethod for cards).'
      }
    });
  };
  Stripe.prototype.confirmCardSetup = notYet('confirmCardSetup');
  Stripe.prototype.confirmSetup = notYet('confirmSetup');

  /* ---------- Elements ---------- */

  /* The options of an Elements group made without a client secret ("Collect payment details
     before creating an Intent", https://docs.stripe.com/js/elements_object/create_without_intent).
     Stripe.js's own texts for these errors are not public; the messages below follow the
     "Invalid value for …: … should be … You specified: …" form of the ones that are. */
  var INTENT_SHAPING = ['mode', 'amount', 'currency', 'captureMethod', 'setupFutureUsage', 'paymentMethodTypes'];
  var CAPTURE_METHODS = ['automatic', 'automatic_async', 'manual'];
  var FUTURE_USAGES = ['off_session', 'on_session'];

  function shown(value) {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /* Checks `changes` against the deferred options `current` (null when creating) and returns
     the merged options, or throws the IntegrationError Stripe.js would. */
  function deferredOptions(method, changes, current) {
    var next = {};
    Object.keys(current || {}).forEach(function (key) {
      next[key] = current[key];
    });
    INTENT_SHAPING.concat(current ? [] : ['onBehalfOf']).forEach(function (key) {
      if (changes[key] !== undefined) {
        next[key] = changes[key];
      }
    });
    if (next.mode === 'setup' || next.mode === 'subscription') {
      // A documented limitation of the sandbox, not a Stripe rule.
      throw IntegrationError('The Stripe sandbox has no SetupIntents or subscriptions, so ' + method +
        " supports mode: 'payment' only. You specified: " + next.mode + '.');
    }
    if (next.mode !== 'payment') {
      throw IntegrationError('Invalid value for ' + method + ': mode should be one of payment, setup, subscription. You specified: ' +
        shown(next.mode) + '.');
    }
    if (next.amount === undefined) {
      throw IntegrationError('Missing value for ' + method + ": amount is required when mode is 'payment'.");
    }
    if (typeof next.amount !== 'number' || !Number.isInteger(next.amount) || next.amount <= 0) {
      throw IntegrationError('Invalid value for ' + method + ': amount should be a positive integer. You specified: ' + shown(next.amount) + '.');
    }
    if (next.currency === undefined) {
      throw IntegrationError('Missing value for ' + method + ": currency is required when mode is 'payment'.");
    }
    if (typeof next.currency !== 'string' || !/^[a-z]{3}$/.test(next.currency)) {
      throw IntegrationError('Invalid value for ' + method + ': currency should be a three-letter ISO currency code in lowercase. You specified: ' +
        shown(next.currency) + '.');
    }
    if (next.captureMethod !== undefined && CAPTURE_METHODS.indexOf(next.captureMethod) < 0) {
      throw IntegrationError('Invalid value for ' + method + ': captureMethod should be one of ' + CAPTURE_METHODS.join(', ') +
        '. You specified: ' + shown(next.captureMethod) + '.');
    }
    if (next.setupFutureUsage !== undefined && FUTURE_USAGES.indexOf(next.setupFutureUsage) < 0) {
      throw IntegrationError('Invalid value for ' + method + ': setupFutureUsage should be one of ' + FUTURE_USAGES.join(', ') +
        '. You specified: ' + shown(next.setupFutureUsage) + '.');
    }
    if (next.paymentMethodTypes !== undefined) {
      var types = next.paymentMethodTypes;
      if (!Array.isArray(types) || types.length === 0 || types.some(function (t) { return typeof t !== 'string'; })) {
        throw IntegrationError('Invalid value for ' + method + ': paymentMethodTypes should be a non-empty array of strings. You specified: ' +
          shown(types) + '.');
      }
      var other = types.filter(function (t) { return t !== 'card'; });
      if (other.length) {
        // The card iframe is the only payment method UI the sandbox has.
        throw IntegrationError('The Stripe sandbox supports card payments only, so ' + method +
          ' accepts paymentMethodTypes: [\'card\']. You specified: ' + other.join(', ') + '.');
      }
    }
    if (next.onBehalfOf !== undefined && (typeof next.onBehalfOf !== 'string' || !/^acct_[A-Za-z0-9]+$/.test(next.onBehalfOf))) {
      throw IntegrationError('Invalid value for ' + method + ': onBehalfOf should be a connected account id (acct_…). You specified: ' +
        shown(next.onBehalfOf) + '.');
    }
    return next;
  }

  function Elements(stripe, options) {
    if (options.clientSecret != null && options.mode != null) {
      throw IntegrationError('Invalid value for elements(): clientSecret and mode cannot both be specified. Pass clientSecret to ' +
        'render the Payment Element for an existing Intent, or mode (with amount and currency) to render it before creating one.');
    }
    this._stripe = stripe;
    this._clientSecret = options.clientSecret || null;
    this._deferred = options.mode != null ? deferredOptions('elements()', options, null) : null;
    // Set by a successful submit(), used up by one confirmPayment (see there).
    this._submitted = false;
    this._appearance = options.appearance || {};
    this._locale = options.locale || stripe._locale;
    this._elements = [];
  }

  Elements.prototype.create = function (type, options) {
    if (type !== 'payment' && type !== 'card') {
      throw IntegrationError('The Stripe sandbox supports the payment and card Elements; "' + type + '" is not one of them.');
    }
    if (type === 'payment' && !this._clientSecret && !this._deferred) {
      // Paraphrase: Stripe.js's older text asked for a client secret only; mode is the other way.
      throw IntegrationError('In order to create a payment element, you must pass a clientSecret or mode when creating the Elements group.');
    }
    if (this.getElement(type)) {
      throw IntegrationError('Can only create one Element of type ' + type + '.');
    }
    var element = new Element(this, type, options || {});
    this._elements.push(element);
    return element;
  };

  Elements.prototype.getElement = function (type) {
    for (var i = 0; i < this._elements.length; i++) {
      if (this._elements[i]._type === type && !this._elements[i]._destroyed) {
        return this._elements[i];
      }
    }
    return null;
  };

  /* In deferred mode the intent-shaping options change in place: the Element is neither
     destroyed nor remounted, so what the shopper typed stays. With a client secret they belong
     to the PaymentIntent, so passing them is an IntegrationError, as in Stripe.js. */
  Elements.prototype.update = function (options) {
    options = options || {};
    var given = INTENT_SHAPING.filter(function (key) {
      return options[key] !== undefined;
    });
    if (given.length && !this._deferred) {
      throw IntegrationError('Invalid value for elements.update(): ' + given[0] + ' can only be updated on Elements created ' +
        "without a clientSecret (with mode: 'payment').");
    }
    if (given.length) {
      var before = this._deferred;
      var after = deferredOptions('elements.update()', options, before);
      var changed = given.some(function (key) {
        return JSON.stringify(before[key]) !== JSON.stringify(after[key]);
      });
      this._deferred = after;
      // What submit() checked no longer describes the payment: the shopper must press Pay
      // (and so submit) again. Stripe's docs do not say; this is the sandbox's simple rule.
      if (changed) {
        this._submitted = false;
      }
    }
    if (options.appearance) {
      this._appearance = options.appearance;
    }
    if (options.locale) {
      this._locale = options.locale;
    }
    var appearance = this._appearance;
    this._elements.forEach(function (element) {
      element._post('update', { appearance: appearance });
    });
  };

  Elements.prototype.fetchUpdates = function () {
    return Promise.resolve({});
  };

  /* https://docs.stripe.com/js/elements/submit: validates the Payment Element and resolves to
     {} or {error} (a validation_error); never rejects for invalid input. */
  Elements.prototype.submit = function () {
    var self = this;
    var element = this.getElement('payment');
    if (!element || !element._mounted) {
      return rejectWith('elements.submit(): no mounted Payment Element.');
    }
    this._submitted = false;
    return element._call('validate', {}).then(function (result) {
      if (result.error) {
        return { error: result.error };
      }
      self._submitted = true;
      return {};
    });
  };

  /* ---------- Element ---------- */

  var EVENTS = ['ready', 'change', 'focus', 'blur', 'escape', 'loaderror', 'loaderstart'];

  function Element(group, type, options) {
    this._group = group;
    this._type = type;
    this._options = options;
    this._id = 'el' + pageToken + '-' + nextElementNumber++;
    this._handlers = {};
    this._mounted = false;
    this._destroyed = false;
    this._ready = false;
    this._queue = [];
    this._pending = {};
    this._nextCall = 1;
    this._state = { empty: true, complete: false, invalid: false, focused: false };
    elementsById[this._id] = this;
  }

  Element.prototype.on = function (event, handler) {
    if (EVENTS.indexOf(event) < 0) {
      throw IntegrationError('Unrecognized event type ' + event + ' for the ' + this._type + ' Element.');
    }
    if (typeof handler !== 'function') {
      throw IntegrationError('The handler of ' + event + ' should be a function.');
    }
    (this._handlers[event] = this._handlers[event] || []).push(handler);
    return this;
  };

  Element.prototype.once = function (event, handler) {
    var self = this;
    function wrapper(payload) {
      self.off(event, wrapper);
      handler(payload);
    }
    return this.on(event, wrapper);
  };

  Element.prototype.off = function (event, handler) {
    if (!handler) {
      delete this._handlers[event];
    } else if (this._handlers[event]) {
      this._handlers[event] = this._handlers[event].filter(function (h) {
        return h !== handler;
      });
    }
    return this;
  };

  Element.prototype._emit = function (event, payload) {
    (this._handlers[event] || []).slice().forEach(function (handler) {
      try {
        handler(payload);
      } catch (e) {
        setTimeout(function () {
          throw e;
        });
      }
    });
  };

  Element.prototype.mount = function (target) {
    if (this._destroyed) {
      throw IntegrationError('This Element has already been destroyed. Please create a new one.');
    }
    if (this._mounted) {
      throw IntegrationError('This Element is already mounted. Use `unmount()` to unmount the Element before re-mounting.');
    }
    var node = typeof target === 'string' ? document.querySelector(target) : target;
    if (!node || typeof node.appendChild !== 'function') {
      throw IntegrationError(typeof target === 'string'
        ? 'The selector you specified (' + target + ') applies to no DOM elements that are currently on the page.\nMake sure the element exists on the page before calling mount().'
        : 'Invalid DOM element. Make sure to call mount() with a valid DOM element or selector.');
    }
    var config = {
      elementId: this._id,
      type: this._type,
      parentOrigin: location.origin,
      key: this._group._stripe._key,
      stripeAccount: this._group._stripe._account,
      apiVersion: this._group._stripe._apiVersion,
      locale: this._group._locale,
      appearance: this._group._appearance,
      options: this._options
    };
    var wrapper = document.createElement('div');
    wrapper.className = '__PrivateStripeElement';
    wrapper.style.cssText = 'margin:0;padding:0;border:none;display:block;background:transparent;position:relative;opacity:1;';
    var frame = document.createElement('iframe');
    frame.name = '__privateStripeFrame' + this._id;
    frame.title = 'Secure payment input frame';
    frame.setAttribute('frameborder', '0');
    frame.setAttribute('allowtransparency', 'true');
    frame.setAttribute('scrolling', 'no');
    frame.setAttribute('allow', 'payment *');
    frame.style.cssText = 'border:none;margin:0;padding:0;width:1px;min-width:100%;overflow:hidden;display:block;user-select:none;color-scheme:normal;height:' + (this._type === 'card' ? 180 : 220) + 'px;';
    frame.src = FRAME_URL + '#' + encodeURIComponent(JSON.stringify(config));
    wrapper.appendChild(frame);
    node.appendChild(wrapper);
    this._container = node;
    this._wrapper = wrapper;
    this._frame = frame;
    this._mounted = true;
    this._ready = false;
    this._paintClasses();
    this._emit('loaderstart', { elementType: this._type });
  };

  Element.prototype.unmount = function () {
    if (!this._mounted) {
      return;
    }
    if (this._wrapper && this._wrapper.parentNode) {
      this._wrapper.parentNode.removeChild(this._wrapper);
    }
    if (this._container && this._container.classList) {
      ['StripeElement', 'StripeElement--empty', 'StripeElement--complete', 'StripeElement--invalid', 'StripeElement--focus']
        .forEach(function (c) {
          this._container.classList.remove(c);
        }, this);
    }
    var pending = this._pending;
    this._pending = {};
    Object.keys(pending).forEach(function (id) {
      pending[id]({ error: { type: 'validation_error', code: 'element_unmounted', message: 'The Element was unmounted before it answered.' } });
    });
    this._frame = null;
    this._wrapper = null;
    this._container = null;
    this._mounted = false;
    this._ready = false;
    this._queue = [];
  };

  Element.prototype.destroy = function () {
    this.unmount();
    this._destroyed = true;
    this._handlers = {};
    delete elementsById[this._id];
  };

  Element.prototype.focus = function () {
    this._post('focus', {});
  };

  Element.prototype.blur = function () {
    this._post('blur', {});
  };

  Element.prototype.clear = function () {
    this._post('clear', {});
  };

  Element.prototype.update = function (options) {
    for (var key in options) {
      if (Object.prototype.hasOwnProperty.call(options, key)) {
        this._options[key] = options[key];
      }
    }
    this._post('update', { options: this._options });
  };

  Element.prototype._post = function (action, payload) {
    var message = { __stripeSandbox: 1, elementId: this._id, action: action, payload: payload };
    if (!this._mounted) {
      return;
    }
    if (!this._ready) {
      this._queue.push(message);
      return;
    }
    this._frame.contentWindow.postMessage(message, ORIGIN);
  };

  /* Asks the iframe to do something and resolves to its answer ({error} or a result). */
  Element.prototype._call = function (action, payload) {
    var self = this;
    return new Promise(function (resolve) {
      if (!self._mounted) {
        resolve({ error: { type: 'validation_error', code: 'element_unmounted', message: 'The Element is not mounted.' } });
        return;
      }
      var callId = self._nextCall++;
      self._pending[callId] = resolve;
      payload.callId = callId;
      self._post(action, payload);
    });
  };

  Element.prototype._paintClasses = function () {
    var list = this._container && this._container.classList;
    if (!list) {
      return;
    }
    list.add('StripeElement');
    list.toggle('StripeElement--empty', this._state.empty);
    list.toggle('StripeElement--complete', this._state.complete);
    list.toggle('StripeElement--invalid', this._state.invalid);
    list.toggle('StripeElement--focus', this._state.focused);
  };

  /* Each Element type has its own change shape (https://docs.stripe.com/js/element/events): the Payment Element's
     has no `error`; the Card Element's has `error`, `value.postalCode` and `brand`. */
  Element.prototype._changeEvent = function (data) {
    if (this._type === 'payment') {
      return {
        elementType: 'payment',
        empty: data.empty,
        complete: data.complete,
        collapsed: false,
        value: { type: 'card' }
      };
    }
    return {
      elementType: 'card',
      empty: data.empty,
      complete: data.complete,
      error: data.error || undefined,
      value: { postalCode: data.postalCode || '' },
      brand: data.brand || 'unknown'
    };
  };

  Element.prototype._onFrameMessage = function (data) {
    switch (data.type) {
      case 'ready':
        this._ready = true;
        var queue = this._queue;
        this._queue = [];
        for (var i = 0; i < queue.length; i++) {
          this._frame.contentWindow.postMessage(queue[i], ORIGIN);
        }
        this._emit('ready', { elementType: this._type });
        break;
      case 'resize':
        if (this._frame && typeof data.height === 'number' && data.height > 0) {
          this._frame.style.height = Math.ceil(data.height) + 'px';
        }
        break;
      case 'change':
        this._state.empty = !!data.empty;
        this._state.complete = !!data.complete;
        this._state.invalid = !!data.error;
        this._paintClasses();
        this._emit('change', this._changeEvent(data));
        break;
      case 'focus':
      case 'blur':
        this._state.focused = data.type === 'focus';
        this._paintClasses();
        this._emit(data.type, { elementType: this._type });
        break;
      case 'escape':
        this._emit('escape', { elementType: this._type });
        break;
      case 'response':
        var resolve = this._pending[data.callId];
        delete this._pending[data.callId];
        if (resolve) {
          resolve(data.result || {});
        }
        break;
    }
  };

  window.addEventListener('message', function (event) {
    if (event.origin !== ORIGIN) {
      return;
    }
    var data = event.data;
    if (!data || data.__stripeSandbox !== 1 || typeof data.elementId !== 'string') {
      return;
    }
    var element = elementsById[data.elementId];
    if (!element || !element._frame || event.source !== element._frame.contentWindow) {
      return;
    }
    element._onFrameMessage(data);
  });

  window.Stripe = Stripe;
})();

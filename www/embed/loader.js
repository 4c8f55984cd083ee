// The connect-checkout embed loader: the one script a host page includes. It defines the
// `<connect-checkout>` element and `window.ConnectCheckout`, and fetches the checkout itself
// (wasm + its JS glue + its stylesheet) only when the first checkout is mounted.
//
// A template: `cargo xtask` (xtask/src/embed.rs) fills in the content-hashed file names,
// removes the comments and indentation, and writes it to dist/embed/loader.js (a classic
// script, which finds its files next to its own URL) and into the npm package as index.js
// (an ES module, which finds them next to `import.meta.url`). No bundler, no dependency.
//
// What it touches of the host page: its own names only. The `connect-checkout` element, the
// `ConnectCheckout` global, one `<link data-connect-checkout>` stylesheet in <head>, `cc-*`
// events on the element, and the checkout's light DOM inside it (classes `cc-*`, custom
// properties `--cc-*`). Stripe.js is injected once per page, by the first checkout mounted
// (`warm`, below) or by the checkout itself.
(function (w, here) {
  'use strict';
  if (!here || typeof customElements == 'undefined' || w.ConnectCheckout) {
    return;
  }
  var d = document;
  var VERSION = '__CC_VERSION__';
  var GLUE = '__CC_GLUE__';
  var WASM = '__CC_WASM__';
  var CSS = '__CC_CSS__';
  // The options a checkout is made from; changing one of them mounts a fresh checkout.
  var KEYS = ['apiBase', 'seller', 'sellers', 'price', 'quantity', 'items', 'locale', 'theme', 'cancelable'];
  var ATTRIBUTES = ['api-base', 'seller', 'sellers', 'price', 'quantity', 'items', 'locale', 'theme', 'cancelable'];
  var loading = null;
  var handles = new WeakMap();
  var queued = new Set();

  function url(name) {
    return new URL(name, here).href;
  }

  // The stylesheet and the wasm, fetched once for every checkout on the page. A failure is
  // forgotten, so that the next mount tries again.
  function load() {
    if (!loading) {
      var css = d.querySelector('link[data-connect-checkout]');
      if (!css) {
        css = d.createElement('link');
        css.rel = 'stylesheet';
        css.href = url(CSS);
        css.setAttribute('data-connect-checkout', VERSION);
        (d.head || d.documentElement).appendChild(css);
      }
      var styled = css.sheet ? null : new Promise(function (done) {
        css.addEventListener('load', done, { once: true });
        css.addEventListener('error', done, { once: true });
      });
      // The wasm is asked for beside its glue, not once the glue has run: one round trip
      // less, which on a phone is over half a second.
      var wasm = fetch(url(WASM));
      wasm.catch(function () {});
      loading = import(url(GLUE)).then(function (glue) {
        return glue.default({ module_or_path: wasm }).then(function () {
          return styled;
        }).then(function () {
          return glue;
        });
      });
      loading.catch(function () {
        loading = null;
      });
    }
    return loading;
  }

  // GET answers asked for ahead, by URL, while the wasm is on its way: on a phone each round
  // trip is over half a second. The checkout takes each once (`take`, src/api.rs); one left
  // for 10 s is not handed out, so a later checkout asks afresh. No timer: an unmounted
  // checkout leaves none behind.
  var ahead = {};
  function fetchAhead(address) {
    var kept = ahead[address];
    if (!kept || Date.now() - kept.at > 10000) {
      kept = ahead[address] = { answer: fetch(address), at: Date.now() };
      kept.answer.catch(function () {});
    }
    return kept.answer;
  }
  function take(address) {
    var kept = ahead[address];
    delete ahead[address];
    return kept && Date.now() - kept.at <= 10000 ? kept.answer : undefined;
  }

  // What a checkout will ask for first: the configuration and its seller's products (src/api.rs
  // builds the same URLs). Stripe.js is injected as soon as the configuration names it, rather
  // than once the wasm has run and read it. The checkout finds this script by its `src` and
  // waits for it (src/stripe_js.rs); one that fails is removed, so that the checkout injects
  // its own and says why. Nothing when the page has Stripe.js already.
  var warmed = {};
  function warm(o) {
    var base = String(o.apiBase).replace(/\/+$/, '');
    var config = fetchAhead(base + '/api/config');
    [o.seller].concat(o.sellers || []).forEach(function (seller) {
      if (/^acct_[A-Za-z0-9_]+$/.test(seller)) {
        fetchAhead(base + '/api/sellers/' + seller + '/products');
      }
    });
    if (warmed[base] || w.Stripe) {
      return;
    }
    warmed[base] = true;
    config.then(function (answer) {
      // A copy: the checkout reads the answer itself.
      return answer.ok ? answer.clone().json() : null;
    }).then(function (config) {
      var src = config && config.stripe_js_url;
      var scripts = d.getElementsByTagName('script');
      if (typeof src != 'string' || w.Stripe) {
        return;
      }
      for (var i = 0; i < scripts.length; i++) {
        if (scripts[i].getAttribute('src') === src) {
          return;
        }
      }
      var script = d.createElement('script');
      script.setAttribute('src', src);
      script.addEventListener('error', function () {
        script.remove();
      });
      (d.head || d.documentElement).appendChild(script);
    }).catch(function () {});
  }

  function same(a, b) {
    return a === b || JSON.stringify(a) === JSON.stringify(b);
  }

  // What the wasm reads (src/embed/options.rs): `price` and `quantity` become `items`, and
  // the function is where this script came from unless `apiBase` says otherwise.
  function normalise(o) {
    var items = o.items;
    if (typeof items == 'string') {
      items = JSON.parse(items);
    }
    if (!items && o.price) {
      items = [{ price: o.price, quantity: o.quantity == null || o.quantity === '' ? 1 : Number(o.quantity) }];
    }
    return {
      apiBase: o.apiBase || new URL(here).origin,
      seller: o.seller,
      // The attribute's comma-separated text as the list the wasm reads.
      sellers: typeof o.sellers == 'string'
        ? o.sellers.split(',').map(function (s) { return s.trim(); }).filter(Boolean)
        : o.sellers,
      items: items,
      locale: o.locale,
      theme: o.theme,
      cancelable: o.cancelable === true || o.cancelable === '' || o.cancelable === 'true'
    };
  }

  // `ConnectCheckout.mount(element, options)`: a checkout in `element`'s light DOM. Returns
  // at once; the checkout appears once its files are loaded.
  function mount(element, options) {
    if (!element || element.nodeType !== 1) {
      throw new TypeError('ConnectCheckout.mount: the first argument must be an element');
    }
    var previous = handles.get(element);
    if (previous) {
      previous.unmount();
    }
    var opts = Object.assign({}, options);
    var live = null;
    var gone = false;
    var generation = 0;

    // Events are dispatched in a microtask: a handler may unmount the checkout or change
    // its options without pulling the ground from under the wasm that sent them.
    function emit(name, detail) {
      queueMicrotask(function () {
        if (gone) {
          return;
        }
        element.dispatchEvent(new CustomEvent('cc-' + name, { detail: detail, bubbles: true, composed: true }));
        var callback = opts['on' + name.charAt(0).toUpperCase() + name.slice(1)];
        if (typeof callback == 'function') {
          callback(detail);
        }
      });
    }

    function stop() {
      if (live) {
        live.unmount();
        live.free();
        live = null;
      }
    }

    function start() {
      var mine = ++generation;
      var options = null;
      try {
        options = normalise(opts);
        warm(options);
      } catch (error) {
        // The checkout says what is wrong with the options.
      }
      load().then(function (glue) {
        if (gone || mine !== generation) {
          return;
        }
        stop();
        try {
          live = glue.mount(element, options || normalise(opts), emit, take);
        } catch (error) {
          console.error('connect-checkout: ' + error);
          emit('error', { code: 'invalid_options', message: String(error && error.message || error) });
        }
      }, function (error) {
        if (!gone && mine === generation) {
          console.error('connect-checkout: could not load ' + url(GLUE), error);
          emit('error', { code: 'load_failed', message: 'The checkout could not be loaded from ' + here });
        }
      });
    }

    var handle = {
      element: element,
      // Changes some options: the checkout is mounted afresh when one of KEYS changed;
      // new callbacks alone take effect at once.
      update: function (changes) {
        var next = Object.assign({}, opts, changes);
        var changed = KEYS.some(function (key) {
          return !same(next[key], opts[key]);
        });
        opts = next;
        if (changed && !gone) {
          start();
        }
        return handle;
      },
      // Removes the checkout, its DOM, listeners and timers; no event comes after.
      unmount: function () {
        if (!gone) {
          gone = true;
          generation++;
          stop();
          if (handles.get(element) === handle) {
            handles.delete(element);
          }
        }
      }
    };
    handles.set(element, handle);
    start();
    return handle;
  }

  // The element's attributes as options (every one of KEYS, absent ones undefined).
  function attributes(element) {
    var o = {};
    ATTRIBUTES.forEach(function (name, index) {
      var value = element.getAttribute(name);
      o[KEYS[index]] = value === null ? undefined : value;
    });
    if (o.cancelable !== undefined) {
      o.cancelable = o.cancelable !== 'false';
    }
    return o;
  }

  // Connecting, disconnecting and attribute changes settle in a microtask, so that several
  // attributes set in a row mount once, and an element moved in the page stays mounted.
  function settle(element) {
    if (queued.has(element)) {
      return;
    }
    queued.add(element);
    queueMicrotask(function () {
      queued.delete(element);
      var handle = handles.get(element);
      if (!element.isConnected) {
        if (handle) {
          handle.unmount();
        }
      } else if (handle) {
        handle.update(attributes(element));
      } else {
        mount(element, attributes(element));
      }
    });
  }

  class ConnectCheckoutElement extends HTMLElement {
    static get observedAttributes() {
      return ATTRIBUTES;
    }
    connectedCallback() {
      settle(this);
    }
    disconnectedCallback() {
      settle(this);
    }
    attributeChangedCallback() {
      if (this.isConnected || handles.has(this)) {
        settle(this);
      }
    }
  }

  w.ConnectCheckout = {
    version: VERSION,
    mount: mount,
    load: function () {
      return load().then(function () {});
    }
  };
  if (!customElements.get('connect-checkout')) {
    customElements.define('connect-checkout', ConnectCheckoutElement);
  }
})(globalThis, __CC_HERE__);

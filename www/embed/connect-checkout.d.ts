// Type declarations for the connect-checkout embed: the `ConnectCheckout` global (from
// /embed/loader.js), the `<connect-checkout>` element, its `cc-*` events, and the npm
// package's exports. Amounts are integers in the currency's minor units (1200 = $12.00) with
// a lowercase ISO 4217 code, as Stripe writes them. README "Embedding" explains each one.

/** One price of the seller's and its first quantity (0 to 999; 1 when left out). */
export interface CheckoutItem {
  price: string;
  quantity?: number;
  /** Whose price it is (`acct_…`): items that name their sellers make a cart of several sellers. */
  seller?: string;
}

/** A line of the cart: from the listed price, or as the function priced it at Pay. */
export interface CheckoutLine {
  /** Whose line it is. */
  seller: string;
  price: string;
  name: string;
  quantity: number;
  unitAmount: number;
  amount: number;
}

/** `cc-ready`: the first cart is shown and the Payment Element mounted; Pay works. Once. */
export interface ReadyDetail {
  seller: string;
  amount: number;
  currency: string;
}

/** `cc-change`: the cart's lines or total changed (the first cart, every change, a new total at Pay). No PaymentIntent is made for it. */
export interface ChangeDetail {
  seller: string;
  amount: number;
  currency: string;
  lines: CheckoutLine[];
}

/** `cc-success`: Stripe says the PaymentIntent succeeded. */
export interface SuccessDetail {
  paymentIntent: string;
  amount: number;
  currency: string;
  seller: string;
}

/**
 * `cc-error`: something went wrong; the checkout already shows `message` to the shopper.
 * `code` is the function's error code (`seller_not_found`, `rate_limited`, …), Stripe's
 * (`card_declined`, `incomplete_number`, …) or the embed's own (`network`, `invalid_email`,
 * `invalid_quantity`, `cart_empty`, `nothing_to_sell`, `price_not_found`,
 * `stripe_js_unavailable`, `invalid_options`, `load_failed`, …).
 */
export interface ErrorDetail {
  code: string;
  /** For a declined card: Stripe's decline code (`insufficient_funds`, …). */
  declineCode?: string;
  message: string;
}

/**
 * `cc-warning`: after a cart of several sellers was paid, the page could not confirm the
 * sellers' transfers (`code` as in `ErrorDetail`). The shopper is not told: Stripe's webhook
 * makes the transfers. Worth logging.
 */
export interface WarningDetail {
  code: string;
  paymentIntent: string;
}

/** `cc-cancel`: the shopper pressed Cancel (shown with `cancelable`). */
export interface CancelDetail {
  seller: string | null;
}

export interface CheckoutOptions {
  /** The function's origin; by default the origin the loader was fetched from. */
  apiBase?: string;
  /** The seller (connected account, `acct_…`); without it the shopper picks one. */
  seller?: string;
  /**
   * Several sellers' products in one cart (at most 10; the attribute takes them
   * comma-separated), grouped by seller and paid once: a charge on the platform, then a
   * transfer to each seller. Instead of `seller`. In `ready`, `change`, `success` and `cancel`,
   * `seller` is then the first of them; each line names its own.
   */
  sellers?: string[];
  /**
   * The prices to offer, in this order; by default every product of the seller. With
   * `sellers` (or instead of it) each item names its `seller`; a seller without items offers
   * all their products.
   */
  items?: CheckoutItem[];
  /** One price to offer (instead of `items`), with `quantity` (default 1). */
  price?: string;
  quantity?: number;
  /** A BCP 47 locale (`en-US`, `fr-FR`); by default the element's `lang`, then the browser's. */
  locale?: string;
  /** `light`, `dark`, or `auto` (the default: the shopper's `prefers-color-scheme`). */
  theme?: 'light' | 'dark' | 'auto';
  /** Shows a Cancel button, which sends `cancel`. */
  cancelable?: boolean;
  onReady?: (detail: ReadyDetail) => void;
  onChange?: (detail: ChangeDetail) => void;
  onSuccess?: (detail: SuccessDetail) => void;
  onError?: (detail: ErrorDetail) => void;
  onWarning?: (detail: WarningDetail) => void;
  onCancel?: (detail: CancelDetail) => void;
}

export interface CheckoutHandle {
  readonly element: HTMLElement;
  /** Changes options; the checkout is mounted afresh unless only callbacks changed. */
  update(options: Partial<CheckoutOptions>): CheckoutHandle;
  /** Removes the checkout: its DOM, listeners, timers and requests. No event comes after. */
  unmount(): void;
}

export interface ConnectCheckoutApi {
  /** The embed's version (the wasm's content hash). */
  readonly version: string;
  /** Mounts a checkout into `element` (its light DOM) and returns at once. */
  mount(element: HTMLElement, options?: CheckoutOptions): CheckoutHandle;
  /** Fetches the checkout's files ahead of the first mount (on a hover, say). */
  load(): Promise<void>;
}

/** `<connect-checkout>`: its attributes are the options (`api-base`, `seller`, `sellers`, `price`,
 * `quantity`, `items` as JSON, `locale`, `theme`, `cancelable`). */
export interface ConnectCheckoutElement extends HTMLElement {}

export interface ConnectCheckoutEventMap {
  'cc-ready': CustomEvent<ReadyDetail>;
  'cc-change': CustomEvent<ChangeDetail>;
  'cc-success': CustomEvent<SuccessDetail>;
  'cc-error': CustomEvent<ErrorDetail>;
  'cc-warning': CustomEvent<WarningDetail>;
  'cc-cancel': CustomEvent<CancelDetail>;
}

declare global {
  interface Window {
    ConnectCheckout: ConnectCheckoutApi;
  }
  interface HTMLElementTagNameMap {
    'connect-checkout': ConnectCheckoutElement;
  }
  interface HTMLElementEventMap extends ConnectCheckoutEventMap {}
}

declare const ConnectCheckout: ConnectCheckoutApi;
export default ConnectCheckout;
export declare const mount: ConnectCheckoutApi['mount'];
export declare const load: ConnectCheckoutApi['load'];
export declare const version: string;

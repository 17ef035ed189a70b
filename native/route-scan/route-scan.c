// The common route message of a full-table dump, scanned in C: the same key and signature words
// src/netlink/route-record.ts's scanRoute writes, for a batch of messages per call. JavaScript
// spent about 190 ns a route on this, most of a dump's decoding; here it is a few tens.
//
// Only what scanRoute reads without complaint and the dump keeps is scanned here: an
// RTM_NEWROUTE of the dump's sequence and family, not interrupted, not a cached clone, every
// attribute well formed, no RTA_VIA. Anything else (NLMSG_DONE, errors, malformed or unusual
// messages) stops the scan at that message and JavaScript handles it, so there is one place
// that decides what is malformed and says why.
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#define NLMSG_HDRLEN 16
#define RTM_NEWROUTE 24
#define NLM_F_DUMP_INTR 0x10
#define RTMSG_LEN 12
#define RTM_F_CLONED 0x200
#define AF_INET 2
#define AF_INET6 10

enum { RTA_DST = 1, RTA_SRC = 2, RTA_OIF = 4, RTA_GATEWAY = 5, RTA_PRIORITY = 6, RTA_PREFSRC = 7,
       RTA_MULTIPATH = 9, RTA_TABLE = 15, RTA_VIA = 18, RTA_PREF = 20, RTA_NH_ID = 30 };

/** Presence bits of the optional fields, in signature word 2 (route-record.ts's HAS). */
enum { HAS_SRC = 1, HAS_PREFSRC = 2, HAS_NH_ID = 4, HAS_PREF = 8 };

/** A record's words (route-scan.ts reads them by these offsets). */
enum { R_TABLE, R_DST_LEN, R_TOS, R_SRC_LEN, R_PRIORITY, R_FLAGS, R_D0, R_D1, R_D2, R_D3,
       R_SIG_START, R_SIG_LEN, R_HASH, R_STRIDE = 16 };

static inline uint32_t u16(const uint8_t *p) { return (uint32_t)p[0] | ((uint32_t)p[1] << 8); }
static inline uint32_t u32(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
/** An address word in network order, read as a host integer (10.0.0.1 is 0x0A000001). */
static inline uint32_t be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

typedef struct {
  uint32_t *w;
  uint32_t n;
  uint32_t cap;
} Sig;

static inline int put(Sig *s, uint32_t v) {
  if (s->n == s->cap) return 0;
  s->w[s->n++] = v;
  return 1;
}

static int put_addr(Sig *s, const uint8_t *p, int words) {
  for (int i = 0; i < words; i++) if (!put(s, be32(p + 4 * i))) return 0;
  return 1;
}

/** Same as RouteRecord.seal: FNV-1a over the words, then a finalizer. */
static uint32_t seal(const uint32_t *w, uint32_t n) {
  uint32_t h = 0x811c9dc5u;
  for (uint32_t i = 0; i < n; i++) h = (h ^ w[i]) * 0x01000193u;
  h ^= h >> 15;
  h *= 0x2c1b3c6du;
  return h ^ (h >> 12);
}

/** Where the parts of a route's signature are, from the first pass over its attributes. */
typedef struct {
  const uint8_t *src, *prefsrc, *gw, *mp;
  uint32_t mp_len, oif, nh_id, pref;
  int has_nh_id, has_pref;
} Parts;

/** The first pass: the key into rec, the signature's parts into parts. 0: leave it to JavaScript. */
static int read_attrs(const uint8_t *b, uint32_t len, uint32_t alen, uint32_t *rec, Parts *parts) {
  uint32_t off = RTMSG_LEN;
  while (off + 4 <= len) {
    const uint32_t l = u16(b + off);
    const uint32_t type = u16(b + off + 2) & 0x3fff;
    if (l < 4 || off + l > len) return 0;
    const uint8_t *p = b + off + 4;
    const uint32_t plen = l - 4;
    switch (type) {
      case RTA_DST:
        if (plen != alen) return 0;
        rec[R_D0] = be32(p);
        if (alen == 16) {
          rec[R_D1] = be32(p + 4);
          rec[R_D2] = be32(p + 8);
          rec[R_D3] = be32(p + 12);
        }
        break;
      case RTA_SRC: if (plen != alen) return 0; parts->src = p; break;
      case RTA_OIF: if (plen != 4) return 0; parts->oif = u32(p); break;
      case RTA_GATEWAY: if (plen != alen) return 0; parts->gw = p; break;
      case RTA_VIA: return 0;
      case RTA_PRIORITY: if (plen != 4) return 0; rec[R_PRIORITY] = u32(p); break;
      case RTA_PREFSRC: if (plen != alen) return 0; parts->prefsrc = p; break;
      case RTA_TABLE: if (plen != 4) return 0; rec[R_TABLE] = u32(p); break;
      case RTA_MULTIPATH: parts->mp = p; parts->mp_len = plen; break;
      case RTA_NH_ID: if (plen != 4) return 0; parts->nh_id = u32(p); parts->has_nh_id = 1; break;
      case RTA_PREF: if (plen < 1) return 0; parts->pref = p[0]; parts->has_pref = 1; break;
      default: break;
    }
    off += (l + 3) & ~3u;
  }
  return 1;
}

/** RTA_MULTIPATH's nexthops as signature words: a count, then each one's. 0: leave it to JavaScript. */
static int put_multipath(const uint8_t *mp, uint32_t mp_len, uint32_t alen, Sig *sig) {
  const int words = (int)alen / 4;
  const uint32_t count_at = sig->n;
  if (!put(sig, 0)) return 0;
  uint32_t n = 0, o = 0;
  while (o + 8 <= mp_len) {
    const uint8_t *nh = mp + o;
    const uint32_t nlen = u16(nh);
    if (nlen < 8 || o + nlen > mp_len) return 0;
    const uint8_t *ngw = NULL;
    uint32_t a = 8;
    while (a + 4 <= nlen) {
      const uint32_t l = u16(nh + a);
      const uint32_t t = u16(nh + a + 2) & 0x3fff;
      if (l < 4 || a + l > nlen) return 0;
      if (t == RTA_VIA) return 0;
      if (t == RTA_GATEWAY) {
        if (l - 4 != alen) return 0;
        ngw = nh + a + 4;
      }
      a += (l + 3) & ~3u;
    }
    if (!put(sig, u32(nh + 4))) return 0;
    if (!put(sig, (((uint32_t)nh[3] + 1) & 0xffff) | ((uint32_t)nh[2] << 16) | ((ngw ? (uint32_t)(words == 1 ? 4 : 6) : 0) << 24))) return 0;
    if (ngw && !put_addr(sig, ngw, words)) return 0;
    n++;
    o += (nlen + 3) & ~3u;
  }
  sig->w[count_at] = n;
  return 1;
}

/** The second pass: the signature, in the order route-record.ts writes it. 0: no room. */
static int put_signature(const uint8_t *b, uint32_t flags, uint32_t alen, const Parts *parts, Sig *sig) {
  const int words = (int)alen / 4;
  if (!put(sig, (uint32_t)b[5] | ((uint32_t)b[6] << 8) | ((uint32_t)b[7] << 16) | ((uint32_t)b[2] << 24))) return 0;
  if (!put(sig, flags)) return 0;
  if (!put(sig, (parts->src ? HAS_SRC : 0) | (parts->prefsrc ? HAS_PREFSRC : 0) | (parts->has_nh_id ? HAS_NH_ID : 0) | (parts->has_pref ? HAS_PREF : 0))) return 0;
  if (parts->src && !put_addr(sig, parts->src, words)) return 0;
  if (parts->prefsrc && !put_addr(sig, parts->prefsrc, words)) return 0;
  if (parts->has_nh_id && !put(sig, parts->nh_id)) return 0;
  if (parts->has_pref && !put(sig, parts->pref)) return 0;
  if (parts->mp) return put_multipath(parts->mp, parts->mp_len, alen, sig);
  if (!parts->oif && !parts->gw) return put(sig, 0);
  if (!put(sig, 1) || !put(sig, parts->oif)) return 0;
  if (!put(sig, 1 | ((flags & 0xff) << 16) | ((parts->gw ? (uint32_t)(words == 1 ? 4 : 6) : 0) << 24))) return 0;
  return !parts->gw || put_addr(sig, parts->gw, words);
}

/**
 * Scans one route message body b[0, len) of family af into rec and sig (from sig->n).
 * Returns 1 when scanned; 0 when JavaScript must handle it (unusual, malformed, or sig full).
 */
static int scan_route(const uint8_t *b, uint32_t len, int af, uint32_t *rec, Sig *sig) {
  if (len < RTMSG_LEN || b[0] != af) return 0;
  const uint32_t alen = af == AF_INET ? 4 : 16;
  const uint32_t flags = u32(b + 8);
  if (flags & RTM_F_CLONED) return 0;
  if (b[1] > alen * 8) return 0;
  memset(rec, 0, R_STRIDE * sizeof(uint32_t));
  rec[R_DST_LEN] = b[1];
  rec[R_SRC_LEN] = b[2];
  rec[R_TOS] = b[3];
  rec[R_TABLE] = b[4];
  rec[R_FLAGS] = flags;
  Parts parts;
  memset(&parts, 0, sizeof parts);
  if (!read_attrs(b, len, alen, rec, &parts)) return 0;
  const uint32_t start = sig->n;
  rec[R_SIG_START] = start;
  if (!put_signature(b, flags, alen, &parts, sig)) return 0;
  rec[R_SIG_LEN] = sig->n - start;
  rec[R_HASH] = seal(sig->w + start, sig->n - start);
  return 1;
}

static int typed(napi_env env, napi_value v, void **data, size_t *bytes) {
  napi_typedarray_type type;
  size_t length, offset;
  napi_value ab;
  if (napi_get_typedarray_info(env, v, &type, &length, data, &ab, &offset) != napi_ok) return 0;
  *bytes = type == napi_uint8_array ? length : length * 4;
  return type == napi_uint8_array || type == napi_uint32_array || type == napi_int32_array;
}

/**
 * scan(buf, off, end, seq, af, recs, sigs, state): scans the messages of buf[off, end) from off
 * until one JavaScript must handle, the end, or a full recs/sigs. Returns the records written;
 * state[0] is the offset it stopped at.
 */
static napi_value Scan(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value argv[8];
  uint8_t *buf;
  uint32_t *recs, *sigw;
  int32_t *state;
  size_t buf_bytes, recs_bytes, sig_bytes, state_bytes;
  uint32_t off, end, seq, af;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 8
      || !typed(env, argv[0], (void **)&buf, &buf_bytes)
      || napi_get_value_uint32(env, argv[1], &off) != napi_ok
      || napi_get_value_uint32(env, argv[2], &end) != napi_ok
      || napi_get_value_uint32(env, argv[3], &seq) != napi_ok
      || napi_get_value_uint32(env, argv[4], &af) != napi_ok
      || !typed(env, argv[5], (void **)&recs, &recs_bytes)
      || !typed(env, argv[6], (void **)&sigw, &sig_bytes)
      || !typed(env, argv[7], (void **)&state, &state_bytes) || state_bytes < 4) {
    napi_throw_type_error(env, NULL, "scan(buf, off, end, seq, af, recs, sigs, state)");
    return NULL;
  }
  if (end > buf_bytes) end = (uint32_t)buf_bytes;
  const uint32_t max_recs = (uint32_t)(recs_bytes / 4 / R_STRIDE);
  Sig sig = { sigw, 0, (uint32_t)(sig_bytes / 4) };
  uint32_t n = 0;
  while (off + NLMSG_HDRLEN <= end && n < max_recs) {
    const uint8_t *h = buf + off;
    const uint32_t mlen = u32(h);
    if (mlen < NLMSG_HDRLEN || off + mlen > end) break;
    if (u16(h + 4) != RTM_NEWROUTE || (u16(h + 6) & NLM_F_DUMP_INTR) || u32(h + 8) != seq) break;
    const uint32_t mark = sig.n;
    if (!scan_route(h + NLMSG_HDRLEN, mlen - NLMSG_HDRLEN, (int)af, recs + n * R_STRIDE, &sig)) {
      sig.n = mark;
      break;
    }
    n++;
    off += (mlen + 3) & ~3u;
  }
  state[0] = (int32_t)off;
  napi_value result;
  napi_create_uint32(env, n, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "scan", NAPI_AUTO_LENGTH, Scan, NULL, &fn);
  napi_set_named_property(env, exports, "scan", fn);
  return exports;
}

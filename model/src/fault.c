/* Fault names and the one encoder of fault status codes. */
#include "granule/fault.h"

static const char *const fault_names[] = {
#define GR_FAULT_NAME_(e, json, text) json,
    GR_FAULT_LIST(GR_FAULT_NAME_)
#undef GR_FAULT_NAME_
};

static const char *const fault_texts[] = {
#define GR_FAULT_TEXT_(e, json, text) text,
    GR_FAULT_LIST(GR_FAULT_TEXT_)
#undef GR_FAULT_TEXT_
};

const char *gr_fault_name(gr_fault_type t)
{
    return (unsigned)t < GR_FAULT_COUNT_ ? fault_names[t] : "unknown";
}

const char *gr_fault_text(gr_fault_type t)
{
    return (unsigned)t < GR_FAULT_COUNT_ ? fault_texts[t] : "unknown fault";
}

/* Arm ARM EncodeLDFSC(): the long-descriptor status codes, 0bxxxxLL with the
 * lookup level in the low two bits for the level-qualified faults. */
uint8_t gr_fault_fsc(const gr_fault *f)
{
    uint8_t ll = (uint8_t)(f->level & 3);
    switch (f->type) {
    case GR_FAULT_ADDRESS_SIZE:
        return 0x00 | ll;
    case GR_FAULT_TRANSLATION:
        return 0x04 | ll;
    case GR_FAULT_ACCESS_FLAG:
        return 0x08 | ll;
    case GR_FAULT_PERMISSION:
        return 0x0c | ll;
    case GR_FAULT_SYNC_EXTERNAL_ON_WALK:
        return 0x14 | ll;
    case GR_FAULT_NONE:
    case GR_FAULT_PAC_FAIL:
    case GR_FAULT_COUNT_:
        break;
    }
    return 0;
}

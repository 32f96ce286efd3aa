/*
 * ipmisim_chassis: chassis control for OpenIPMI's ipmi_sim, loaded into it
 * with the lan.conf line
 *
 *   loadlib "/path/ipmisim_chassis.so" "mc=0x20 power=1 log=/path/control.log"
 *
 * ipmi_sim answers Get Chassis Status and Chassis Control through the MC's
 * chassis control functions when a module registers them; otherwise it runs
 * its "chassis_control" program through popen() for every request, status
 * reads included: a shell per read, in ipmi_sim's only thread, which bounded
 * every client to a few hundred reads/s whatever the client did. Here the
 * power state is a variable of the BMC, as on a real one: a status read
 * costs no process, and power on/off/cycle still change what every client
 * reads (a power cycle is ipmi_sim's own: off, then on after 1 s).
 *
 * Each change request (power, reset, soft shutdown, identify, boot device)
 * is appended to the log file as "<mc> set <what> <value>", the lines the
 * integration tests check, before it takes effect; a request that cannot be
 * logged fails with an IPMI error rather than change the state unseen.
 * Options: mc= the MC's IPMB address (default: the BMC's), power= 1 or 0 at
 * start (default 1), log= the log file (last: the rest of the string).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <OpenIPMI/mcserv.h>

typedef struct {
  sys_data_t *sys;
  unsigned mc_addr;
  int power;      /* 1: on */
  char log[4096]; /* empty: no log */
} chassis_t;

/* ipmi_sim is single-threaded and keeps the module loaded until it exits. */
static chassis_t g_chassis;

/* Appends "<mc> set <what> <value>" to the log; 0, or an errno value. */
static int log_set(chassis_t *c, const char *what, const char *value) {
  if (!c->log[0])
    return 0;
  FILE *f = fopen(c->log, "a");
  if (!f) {
    int err = errno;
    c->sys->log(c->sys, OS_ERROR, NULL, "ipmisim_chassis: %s: %s", c->log,
                strerror(err));
    return err;
  }
  int bad = fprintf(f, "0x%02x set %s %s\n", c->mc_addr, what, value) < 0;
  bad |= fclose(f) != 0;
  return bad ? EIO : 0;
}

static int chassis_set(lmc_data_t *mc, int op, unsigned char *val,
                       void *cb_data) {
  (void)mc;
  chassis_t *c = cb_data;
  char text[32];
  int rv;
  switch (op) {
  case CHASSIS_CONTROL_POWER:
    snprintf(text, sizeof(text), "%d", val[0] ? 1 : 0);
    rv = log_set(c, "power", text);
    if (rv == 0)
      c->power = val[0] ? 1 : 0;
    return rv;
  case CHASSIS_CONTROL_RESET:
    return log_set(c, "reset", "1");
  case CHASSIS_CONTROL_GRACEFUL_SHUTDOWN:
    /* No operating system runs behind this BMC to act on it. */
    return log_set(c, "shutdown", "1");
  case CHASSIS_CONTROL_IDENTIFY:
    snprintf(text, sizeof(text), "%u %u", val[0], val[1]);
    return log_set(c, "identify", text);
  case CHASSIS_CONTROL_BOOT:
  case CHASSIS_CONTROL_BOOT_INFO_ACK:
    snprintf(text, sizeof(text), "%u", val[0]);
    return log_set(c, op == CHASSIS_CONTROL_BOOT ? "boot" : "boot_info_ack",
                   text);
  default:
    return EINVAL;
  }
}

static int chassis_get(lmc_data_t *mc, int op, unsigned char *val,
                       void *cb_data) {
  (void)mc;
  chassis_t *c = cb_data;
  switch (op) {
  case CHASSIS_CONTROL_POWER:
    val[0] = (unsigned char)c->power;
    return 0;
  case CHASSIS_CONTROL_BOOT:
    val[0] = 0; /* no boot device override */
    return 0;
  default:
    return EINVAL;
  }
}

/* Reads "mc=N power=N log=PATH" (each optional, log last). */
static int parse_options(chassis_t *c, const char *opts) {
  const char *p = opts ? opts : "";
  while (*p) {
    char *end;
    if (*p == ' ') {
      p++;
    } else if (strncmp(p, "mc=", 3) == 0) {
      unsigned long v = strtoul(p + 3, &end, 0);
      if (end == p + 3 || v == 0 || v > 0xff)
        return EINVAL;
      c->mc_addr = (unsigned)v;
      p = end;
    } else if (strncmp(p, "power=", 6) == 0) {
      unsigned long v = strtoul(p + 6, &end, 0);
      if (end == p + 6 || v > 1)
        return EINVAL;
      c->power = (int)v;
      p = end;
    } else if (strncmp(p, "log=", 4) == 0) {
      size_t n = strlen(p + 4);
      if (n == 0 || n >= sizeof(c->log))
        return EINVAL;
      memcpy(c->log, p + 4, n + 1);
      break;
    } else {
      return EINVAL;
    }
  }
  return 0;
}

int ipmi_sim_module_print_version(sys_data_t *sys, const char *options) {
  (void)sys;
  (void)options;
  printf("ipmisim_chassis (chassis power state held in ipmi_sim)\n");
  return 0;
}

int ipmi_sim_module_init(sys_data_t *sys, const char *options) {
  chassis_t *c = &g_chassis;
  memset(c, 0, sizeof(*c));
  c->sys = sys;
  c->power = 1;
  int rv = parse_options(c, options);
  if (rv)
    sys->log(sys, SETUP_ERROR, NULL,
             "ipmisim_chassis: bad options \"%s\" (want: mc=0x20 power=1 "
             "log=PATH)",
             options ? options : "");
  return rv;
}

/* After the emulator commands ran: the MC exists by now. */
int ipmi_sim_module_post_init(sys_data_t *sys) {
  chassis_t *c = &g_chassis;
  if (!c->mc_addr)
    c->mc_addr = sys->bmc_ipmb;
  lmc_data_t *mc = sys->ipmb_addrs[c->mc_addr & 0xff];
  if (!mc) {
    sys->log(sys, SETUP_ERROR, NULL, "ipmisim_chassis: no MC at 0x%02x",
             c->mc_addr);
    return ENODEV;
  }
  ipmi_mc_set_chassis_control_func(mc, chassis_set, chassis_get, c);
  return 0;
}

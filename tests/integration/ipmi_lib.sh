# Helpers of the ipmi_* integration tests (sourced after lib/common.sh):
# OpenIPMI's ipmi_sim as a LAN BMC on 127.0.0.1 at a free UDP port, set up
# from files written in $WORK/bmc, stopped by its pid.
for p in ipmi_sim sdrcomp ipmitool ipmi-power ipmi-sensors; do
  command -v "$p" >/dev/null ||
    fail "$p is not installed (packages: openipmi ipmitool freeipmi-tools)"
done

# free_udp_port: a UDP port on 127.0.0.1 that nobody holds right now.
free_udp_port() {
  $PY -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# The chassis control module loaded into ipmi_sim (tests/peers/, built when
# OpenIPMI's headers are installed: Debian libopenipmi-dev).
BMC_CHASSIS_MODULE=${BMC_CHASSIS_MODULE:-${ED_BUILD:+$ED_BUILD/tests/peers/ipmisim_chassis.so}}

# bmc_chassis_config: sets BMC_CHASSIS_LINE, the lan.conf line that gives
# ipmi_sim its chassis power control, and BMC_CHASSIS (module or script).
# With the module the power state is held in ipmi_sim and a status read
# runs no program; without it ipmi_sim runs a shell script through popen()
# on every request, reads included (a few hundred reads/s at most, for every
# client), and this says so on stderr. Both append each change request to
# $BMC_DIR/control.log ("0x20 set power 0").
bmc_chassis_config() {
  if [ -n "$BMC_CHASSIS_MODULE" ] && [ -f "$BMC_CHASSIS_MODULE" ]; then
    BMC_CHASSIS=module
    BMC_CHASSIS_LINE="loadlib \"$BMC_CHASSIS_MODULE\" \"mc=0x20 power=1 log=$BMC_DIR/control.log\""
    return 0
  fi
  BMC_CHASSIS=script
  echo "ipmi_lib: ${BMC_CHASSIS_MODULE:-ipmisim_chassis.so} not built" \
    "(libopenipmi-dev missing?): ipmi_sim runs a chassis control script" \
    "per request" >&2
  cat >"$BMC_DIR/chassiscontrol.sh" <<CEOF
#!/bin/sh
# ipmi_sim calls: <mc> get power | <mc> set power 0|1 | <mc> set reset ...
case "\$2" in
get) for w in "\$@"; do [ "\$w" = power ] && read -r p <"$BMC_DIR/power.state" && echo "power:\$p"; done ;;
set) echo "\$*" >>"$BMC_DIR/control.log"
     [ "\$3" = power ] && echo "\$4" >"$BMC_DIR/power.state" ;;
esac
exit 0
CEOF
  chmod +x "$BMC_DIR/chassiscontrol.sh"
  echo 1 >"$BMC_DIR/power.state"
  BMC_CHASSIS_LINE="chassis_control \"$BMC_DIR/chassiscontrol.sh 0x20\""
}

# bmc_start: writes the BMC's files, starts ipmi_sim, waits until it answers
# and reads power on. Sets BMC_DIR, BMC_PORT, BMC_HOST ("127.0.0.1:PORT",
# FreeIPMI's form), BMC_PID, BMC_CHASSIS (module or script); each chassis
# change request is logged in $BMC_DIR/control.log.
bmc_start() {
  BMC_DIR=$WORK/bmc
  mkdir -p "$BMC_DIR/state/ipmi_sim/drillbmc"
  BMC_PORT=$(free_udp_port)
  BMC_HOST=127.0.0.1:$BMC_PORT
  : >"$BMC_DIR/control.log"
  bmc_chassis_config
  cat >"$BMC_DIR/lan.conf" <<CEOF
name "drillbmc"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $BMC_PORT
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid a123456789abcdefa123456789abcdef
  endlan
  $BMC_CHASSIS_LINE
  user 1 true  ""      "test"   user  10 none md2 md5 straight
  user 2 true  "admin" "${BMC_ADMIN_PW:-secret}" admin 10 none md2 md5 straight
  user 3 true  "viewer" "peek"  user  10 none md2 md5 straight
CEOF
  cat >"$BMC_DIR/sim.emu" <<'CEOF'
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
sensor_add 0x20 0 0 35 0x6f event-only
sensor_set_event_support 0x20 0 0 enable scanning per-state \
	000000000001111 000000000000000 \
	000000000001111 000000000000000
sensor_add 0x20 0 1 0x01 0x01
sensor_set_value 0x20 0 1 0x28 0
sensor_set_threshold 0x20 0 1 settable 111000 0xa0 0x90 0x70 00 00 00
sensor_set_event_support 0x20 0 1 enable scanning per-state \
	000111111000000 000111111000000 \
	000111111000000 000111111000000
sel_add 0x20 0x02 0x00 0x00 0x00 0x00 0x20 0x00 0x04 0x01 0x01 0x01 0x59 0x95 0x90
mc_enable 0x20
CEOF
  cat >"$BMC_DIR/sim.sdrs" <<'CEOF'
sdr type 18
	device_slave_address	0x20
	device_channel_number	0
	chassis			true
	ipmb_event_gen		false
	ipmb_event_recv		false
	fru_inventory		true
	sel			true
	sdr			true
	sensor			true
	entity_id		system_board
	entity_instance		1
	id_string		"drillbmc"
endsdr
sdr type 1
	sensor_owner_id		0x20
	sensor_owner_lun	0
	channel_number		0
	sensor_number		1
	entity_id		system_board
	entity_instance		1
	sensor_type		Temperature
	init_scanning		true
	init_sensor_type	true
	default_sensor_scan_on	true
	event_reading_type_code	1
	analog_data_format	unsigned
	rate_unit		none
	modifier_unit		none
	percentage		false
	base_unit		degrees_C
	modifier_unit_code	unspecified
	linearization		linear
	m			1
	tolerance		0
	b			0
	accuracy		1
	accuracy_exp		0
	sensor_direction	input
	r_exp			0
	b_exp			0
	sensor_maximum		255
	sensor_minimum		0
	id_string		"MBTemp"
endsdr
CEOF
  sdrcomp -o "$BMC_DIR/sim.bsdr" "$BMC_DIR/sim.sdrs" >"$BMC_DIR/sdrcomp.log" 2>&1 ||
    fail "sdrcomp: $(cat "$BMC_DIR/sdrcomp.log")"
  cp "$BMC_DIR/sim.bsdr" "$BMC_DIR/state/ipmi_sim/drillbmc/sdr.20.main"
  ipmi_sim -c "$BMC_DIR/lan.conf" -f "$BMC_DIR/sim.emu" -s "$BMC_DIR/state" -n \
    >"$BMC_DIR/sim.log" 2>&1 </dev/null &
  BMC_PID=$!
  cleanup_hooks+=("bmc_stop")
  local i
  for i in $(seq 1 50); do
    kill -0 "$BMC_PID" 2>/dev/null || fail "ipmi_sim exited: $(cat "$BMC_DIR/sim.log")"
    if ipmitool_bmc mc info >/dev/null 2>&1; then
      # the chassis control is in place: power reads on, as it starts
      [ "$(ipmitool_bmc chassis power status 2>&1)" = "Chassis Power is on" ] ||
        fail "ipmi_sim's chassis control ($BMC_CHASSIS) does not read power on:" \
          "$(cat "$BMC_DIR/sim.log")"
      return 0
    fi
    sleep 0.2
  done
  fail "ipmi_sim on port $BMC_PORT does not answer: $(cat "$BMC_DIR/sim.log")"
}

bmc_stop() {
  if [ -n "${BMC_PID:-}" ] && kill -0 "$BMC_PID" 2>/dev/null; then
    kill "$BMC_PID"
    local i
    for i in $(seq 1 30); do kill -0 "$BMC_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$BMC_PID" 2>/dev/null || true
  fi
  BMC_PID=
}

# The independent cross-checks, at the same BMC.
ipmitool_bmc() {
  ipmitool -I lanplus -H 127.0.0.1 -p "$BMC_PORT" -U admin -P "${BMC_ADMIN_PW:-secret}" -C 3 "$@"
}
freeipmi_opts() {
  echo "-h $BMC_HOST -u admin -p ${BMC_ADMIN_PW:-secret} -l ADMIN -I 3 -D LAN_2_0 -W opensesspriv"
}

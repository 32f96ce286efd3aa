# SSH driver against a throwaway OpenSSH sshd on 127.0.0.1
ed_integration_test(ssh_driver ssh_driver.sh)
ed_integration_test(ssh_drill ssh_drill.sh)
ed_integration_test(ssh_channels ssh_channels.sh)
ed_integration_test(ssh_channel_refused ssh_channel_refused.sh)
ed_integration_test(ssh_login_once ssh_login_once.sh)

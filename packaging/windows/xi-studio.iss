; Inno Setup script: a Windows installer (XI-Studio-Setup-<version>.exe) from the
; PyInstaller one-folder bundle in dist\xi-studio. Built by workflows/windows.yml on a
; hosted Windows runner (Inno Setup is preinstalled there); not run on the Linux machines.
;   iscc /DAppVersion=0.1.0 packaging\windows\xi-studio.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1C9D1E-2B7A-4C55-9E0B-5D3A1F6C2E11}
AppName=XI Studio
AppVersion={#AppVersion}
AppPublisher=The XI Studio developers
DefaultDirName={autopf}\XI Studio
DefaultGroupName=XI Studio
UninstallDisplayIcon={app}\xi-studio.exe
OutputDir=..\..\build
OutputBaseFilename=XI-Studio-Setup-{#AppVersion}
SetupIconFile=..\..\icons\io.github.xistudio.XIStudio.ico
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\xi-studio\*"; DestDir: "{app}"; Flags: recursesubdirs ignoreversion

[Icons]
Name: "{group}\XI Studio"; Filename: "{app}\xi-studio.exe"
Name: "{autodesktop}\XI Studio"; Filename: "{app}\xi-studio.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Put an XI Studio icon on the desktop"; Flags: unchecked

[Run]
Filename: "{app}\xi-studio.exe"; Description: "Open XI Studio now"; Flags: nowait postinstall skipifsilent

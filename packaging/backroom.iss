; Inno Setup script for Backroom on Windows. Build dist\Backroom first
; (python packaging\build.py runs this for you when iscc is installed), or by hand:
;   iscc /DAppVersion=0.1.0 packaging\backroom.iss
; The installer lands in dist\Backroom-<version>-windows-setup.exe.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F1C2B7E-3D4A-4E0B-9A51-BACC0000B00F}
AppName=Backroom
AppVersion={#AppVersion}
AppVerName=Backroom {#AppVersion}
AppPublisher=Backroom developers
DefaultDirName={autopf}\Backroom
DefaultGroupName=Backroom
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\Backroom.exe
SetupIconFile=..\resources\icons\backroom.ico
OutputDir=..\dist
OutputBaseFilename=Backroom-{#AppVersion}-windows-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequiredOverridesAllowed=dialog

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\dist\Backroom\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\Backroom"; Filename: "{app}\Backroom.exe"
Name: "{group}\Backroom demo workshop"; Filename: "{app}\Backroom.exe"; Parameters: "--demo"
Name: "{group}\{cm:UninstallProgram,Backroom}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\Backroom"; Filename: "{app}\Backroom.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\Backroom.exe"; Description: "{cm:LaunchProgram,Backroom}"; Flags: nowait postinstall skipifsilent

; The data folder (%LOCALAPPDATA%\Backroom) is the user's: uninstalling leaves it alone.
